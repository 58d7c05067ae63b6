package dev.engram.bridge.core.testing;

import java.util.ArrayList;
import java.util.List;

/** The threads a bridge creates, found by name. */
public final class BridgeThreads {
  public static final String PREFIX = "engram-bridge-";

  private BridgeThreads() {}

  /** Names of live threads whose name starts with {@link #PREFIX}. */
  public static List<String> alive() {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().startsWith(PREFIX)) {
        names.add(thread.getName());
      }
    }
    return names;
  }
}
