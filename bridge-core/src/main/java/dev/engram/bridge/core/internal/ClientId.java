package dev.engram.bridge.core.internal;

import java.time.Clock;

/** This client instance's id as the server sees it: {@code <pid>-<creation epoch seconds>}. */
final class ClientId {
  private ClientId() {}

  static String create(Clock wallClock) {
    return ProcessHandle.current().pid() + "-" + wallClock.instant().getEpochSecond();
  }
}
