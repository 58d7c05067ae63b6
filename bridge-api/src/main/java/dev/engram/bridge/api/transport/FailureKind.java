package dev.engram.bridge.api.transport;

/** The few kinds of failure the engine acts on differently. */
public enum FailureKind {
  /** Worth trying again after a backoff: the server is unreachable, overloaded or restarting. */
  RETRYABLE,
  /** The server refused the credentials. Retrying soon will not help; retry at the longest wait. */
  AUTHENTICATION,
  /**
   * The server cannot resume the stream after the event id that was sent. Open a fresh stream
   * without one, and reconcile to catch what was missed.
   */
  RESUME_UNSUPPORTED,
  /** The server does not implement the call. Stop streaming; rely on reconciliation. */
  UNIMPLEMENTED,
  /** The server rejected the request as malformed, for example too many ids in one sync. */
  INVALID_ARGUMENT
}
