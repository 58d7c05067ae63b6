package dev.engram.bridge.api.transport;

import java.util.Objects;

/**
 * A failed call or stream, classified for the engine.
 *
 * <p>Transports build the message from the server's status and description only: it never holds
 * a token, a header value or URL user-info, since it is logged.
 */
public final class TransportException extends Exception {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final String status;

  /**
   * @param kind what the engine should do about it
   * @param status the transport's own name for the outcome, for logs (for example the gRPC
   *     status code {@code "UNAVAILABLE"})
   * @param message what happened, free of secrets
   * @param cause the underlying error, or null
   */
  public TransportException(FailureKind kind, String status, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.status = Objects.requireNonNull(status, "status");
  }

  public TransportException(FailureKind kind, String status, String message) {
    this(kind, status, message, null);
  }

  /** What the engine should do about this failure. */
  public FailureKind kind() {
    return kind;
  }

  /** The transport's name for the outcome, such as {@code "UNAVAILABLE"}. */
  public String status() {
    return status;
  }

  @Override
  public String toString() {
    return "TransportException{kind=" + kind + ", status=" + status + ", message="
        + getMessage() + "}";
  }
}
