package dev.engram.bridge.grpc.it;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The names of live threads a bridge could leave behind: its own, its transport's, gRPC's. */
final class LiveThreads {
  /** The bridge's own threads, the grpc transport's, and gRPC's shared ones. */
  static final List<String> PREFIXES = List.of("engram-bridge-", "engram-grpc-", "grpc-");

  private LiveThreads() {}

  /** Names of the live threads whose names start with one of {@link #PREFIXES}. */
  static Set<String> names() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> PREFIXES.stream().anyMatch(name::startsWith))
        .collect(Collectors.toSet());
  }
}
