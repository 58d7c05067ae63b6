package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.TransportException;
import io.grpc.Status;
import java.util.Optional;

/**
 * Turns a gRPC status into the {@link FailureKind} the engine acts on.
 *
 * <p>The codes the engram contract names are mapped as it says. For the rest the rule is: when in
 * doubt, retry. Retrying with backoff is always safe here, because the heartbeat reconciles
 * whatever the stream missed, whereas any other kind turns something off:
 *
 * <ul>
 *   <li>{@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, {@code RESOURCE_EXHAUSTED}, {@code
 *       ABORTED}, {@code INTERNAL}, {@code UNKNOWN}: retryable (the server is away, slow,
 *       overloaded or restarting).
 *   <li>{@code CANCELLED}: retryable. Some servers end streams with it on a forced shutdown; the
 *       engine's own cancellations never reach this class.
 *   <li>{@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}: authentication.
 *   <li>{@code OUT_OF_RANGE}: resume unsupported on a stream opened with a resume id (the
 *       server cannot replay from it); retryable otherwise, where the contract gives it no
 *       meaning.
 *   <li>{@code UNIMPLEMENTED}: unimplemented (also what a proxy's HTTP 404 becomes).
 *   <li>{@code INVALID_ARGUMENT}: invalid argument, on either call kind; the engine decides.
 *   <li>{@code FAILED_PRECONDITION}, {@code NOT_FOUND}, {@code ALREADY_EXISTS}, {@code
 *       DATA_LOSS}: retryable. The contract does not use them; a server that answers them is in
 *       a state that may pass (starting up, an old subscription of this client still
 *       registered, a damaged message), and nothing is lost while the heartbeat runs.
 *   <li>{@code OK} never counts as a failure; a call that ends with it but without an answer
 *       is reported as retryable {@code INTERNAL}.
 * </ul>
 *
 * <p>The message is the status description, plus the direct cause's type and message when gRPC
 * itself failed the call (a refused connection, a TLS handshake). Trailers and headers are never
 * read. Should a server echo the configured token in a description, it is masked.
 */
public final class FailureClassifier {
  private static final String MASK = "<redacted>";

  private final String secret;

  private FailureClassifier(String secret) {
    this.secret = secret;
  }

  /** A classifier that masks {@code token} wherever a status would repeat it. */
  public static FailureClassifier masking(Optional<AccessToken> token) {
    return new FailureClassifier(token.map(AccessToken::reveal).orElse(null));
  }

  /** The kind for a failed call; {@code resumed} is whether it was a stream with a resume id. */
  public static FailureKind kindOf(Status.Code code, boolean resumed) {
    switch (code) {
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return FailureKind.AUTHENTICATION;
      case OUT_OF_RANGE:
        return resumed ? FailureKind.RESUME_UNSUPPORTED : FailureKind.RETRYABLE;
      case UNIMPLEMENTED:
        return FailureKind.UNIMPLEMENTED;
      case INVALID_ARGUMENT:
        return FailureKind.INVALID_ARGUMENT;
      default:
        return FailureKind.RETRYABLE;
    }
  }

  /** The failure of an event stream. */
  public TransportException forStream(Status status, boolean resumed) {
    return exception(status, resumed);
  }

  /** The failure of a sync call. */
  public TransportException forSync(Status status) {
    return exception(status, false);
  }

  /** A failure the transport decided on itself, such as being closed. */
  public static TransportException retryable(Status.Code code, String message) {
    return new TransportException(FailureKind.RETRYABLE, code.name(), message);
  }

  private TransportException exception(Status status, boolean resumed) {
    Status.Code code = status.getCode();
    return new TransportException(
        kindOf(code, resumed), code.name(), mask(message(status)), status.getCause());
  }

  private static String message(Status status) {
    String description = status.getDescription();
    String text = description == null || description.isBlank()
        ? "the call ended with " + status.getCode() + " and no description"
        : description;
    // The direct cause names what gRPC saw (the address refused, the certificate rejected).
    Throwable cause = status.getCause();
    if (cause != null) {
      text += " (" + cause.getClass().getSimpleName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
    }
    return text;
  }

  private String mask(String text) {
    return secret == null ? text : text.replace(secret, MASK);
  }

  @Override
  public String toString() {
    return "FailureClassifier{masking=" + (secret != null) + "}";
  }
}
