package dev.engram.bridge.api;

/** Where a bridge is in its lifecycle, as reported to {@link BridgeListener#stateChanged}. */
public enum BridgeState {
  /** Built, not started. */
  NEW,
  /** Started without a server configured: nothing runs. */
  DISABLED,
  /** Opening the event stream. */
  CONNECTING,
  /** The server accepted the event stream (it sent an event or kept it open long enough). */
  CONNECTED,
  /** The stream failed; waiting before the next attempt. */
  BACKING_OFF,
  /** The server refused the token; retrying at the longest backoff. */
  AUTH_FAILED,
  /** The server does not implement the event stream; only reconciliation runs. */
  HEARTBEAT_ONLY,
  /** Closed. Final. */
  STOPPED
}
