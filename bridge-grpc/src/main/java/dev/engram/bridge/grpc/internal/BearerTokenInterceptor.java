package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.api.transport.AccessToken;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.Objects;

/**
 * Adds {@code authorization: Bearer <token>} to every call, streaming and unary alike. The
 * server checks each call on its own, so a header set only on the stream would fail every sync.
 */
public final class BearerTokenInterceptor implements ClientInterceptor {
  /** The header gRPC servers read the bearer token from. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AccessToken token;

  public BearerTokenInterceptor(AccessToken token) {
    this.token = Objects.requireNonNull(token, "token");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> responseListener, Metadata headers) {
        // Replace rather than add: a second value would leave the server to pick one.
        headers.discardAll(AUTHORIZATION);
        headers.put(AUTHORIZATION, token.bearerHeaderValue());
        super.start(responseListener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return "BearerTokenInterceptor{token=" + token + "}";
  }
}
