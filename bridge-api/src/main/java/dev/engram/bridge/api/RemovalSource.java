package dev.engram.bridge.api;

/** Which path reported a {@link ProjectRemoval}. */
public enum RemovalSource {
  /** The server announced the removal on the {@code ProjectEvents} stream. */
  STREAM("stream"),
  /** A {@code SyncProjectState} reconciliation found the project gone. */
  HEARTBEAT("heartbeat");

  private final String wireName;

  RemovalSource(String wireName) {
    this.wireName = wireName;
  }

  /** The lower-case name used in logs and JSON output: {@code "stream"} or {@code "heartbeat"}. */
  public String wireName() {
    return wireName;
  }
}
