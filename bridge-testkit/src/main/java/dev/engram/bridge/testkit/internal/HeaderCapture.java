package dev.engram.bridge.testkit.internal;

import com.google.common.io.BaseEncoding;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hands each call's headers to the service, which records them with the request. */
final class HeaderCapture implements ServerInterceptor {
  private static final Context.Key<Map<String, List<String>>> HEADERS =
      Context.key("fake-engram-headers");

  /** The headers of the call being handled on this thread; empty outside a call. */
  static Map<String, List<String>> current() {
    Map<String, List<String>> headers = HEADERS.get();
    return headers == null ? Map.of() : headers;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Context context = Context.current().withValue(HEADERS, copy(headers));
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static Map<String, List<String>> copy(Metadata headers) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    for (String name : headers.keys()) {
      List<String> values = new ArrayList<>();
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Iterable<byte[]> raw =
            headers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER));
        if (raw != null) {
          raw.forEach(bytes -> values.add(BaseEncoding.base64().encode(bytes)));
        }
      } else {
        Iterable<String> text =
            headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        if (text != null) {
          text.forEach(values::add);
        }
      }
      copy.put(name, values);
    }
    return copy;
  }
}
