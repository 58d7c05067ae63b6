package dev.engram.bridge.testkit.internal;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Rejects every call, stream or unary, that does not carry {@code authorization: Bearer <token>}
 * while the server requires a token. Neither the expected nor the presented value ever appears
 * in a status description or a log line.
 */
final class BearerTokenCheck implements ServerInterceptor {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String SCHEME = "bearer ";

  private final ServerState state;

  BearerTokenCheck(ServerState state) {
    this.state = state;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String token = state.token();
    if (token == null) {
      return next.startCall(call, headers);
    }
    String presented = headers.get(AUTHORIZATION);
    if (presented != null && matches(presented, token)) {
      return next.startCall(call, headers);
    }

    state.recordAuthFailure(call.getMethodDescriptor().getBareMethodName());
    String why = presented == null
        ? "the call carries no authorization header"
        : "the authorization header does not hold the expected bearer token";
    call.close(
        Status.UNAUTHENTICATED.withDescription(
            why + "; this server expects 'authorization: Bearer <token>' on every call"),
        new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static boolean matches(String presented, String token) {
    // The scheme is case-insensitive (RFC 7235); the token is compared in constant time.
    if (presented.length() < SCHEME.length()
        || !presented.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return false;
    }
    byte[] given = presented.substring(SCHEME.length()).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
  }
}
