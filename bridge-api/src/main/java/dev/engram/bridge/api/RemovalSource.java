package dev.engram.bridge.api;

/** Which path reported a {@link ProjectRemoval}. */
public enum RemovalSource {
  /** The server announced the removal on the {@code ProjectEvents} stream. */
  STREAM,
  /** A {@code SyncProjectState} reconciliation found the project gone. */
  HEARTBEAT;

  /** The lower-case name used in logs and JSON output: {@code "stream"} or {@code "heartbeat"}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
