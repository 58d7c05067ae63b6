package dev.engram.bridge.cli;

import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a {@link StopSignal}, so that {@code watch} closes its bridge
 * and the process exits 0. A plain shutdown hook would not do: the JVM then exits 143 (or 130)
 * whatever the hook does.
 */
final class ShutdownSignals {

  private ShutdownSignals() {}

  static void install(Main.Console console) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> console.stop().fire());
      } catch (IllegalArgumentException e) {
        // The platform does not have this signal, or the JVM reserves it: keep its default.
        console.err().println("engram-bridge: cannot handle SIG" + name + ": " + e.getMessage());
      }
    }
  }
}
