package dev.engram.bridge.benchmarks;

import java.util.List;
import java.util.stream.Collectors;

/** The threads a bridge and its gRPC transport start, found by their names. */
final class BridgeThreads {
  private BridgeThreads() {}

  /** Names of live bridge and transport threads. */
  static List<String> alive() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("engram-bridge-") || name.startsWith("engram-grpc-"))
        .sorted()
        .collect(Collectors.toList());
  }
}
