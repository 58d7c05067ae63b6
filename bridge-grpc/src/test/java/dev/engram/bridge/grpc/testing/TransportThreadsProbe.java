package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.grpc.internal.TransportThreads;
import java.util.Set;
import java.util.stream.Collectors;

/** Finds live threads by name, for leak checks. */
public final class TransportThreadsProbe {

  private TransportThreadsProbe() {}

  /** Live threads started by any grpc transport. */
  public static Set<Thread> transportThreads() {
    return liveThreads(TransportThreads.NAME_PREFIX);
  }

  /** Live threads whose names start with {@code prefix}. */
  public static Set<Thread> liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(thread -> thread.getName().startsWith(prefix))
        .collect(Collectors.toSet());
  }

  public static Set<String> names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).collect(Collectors.toSet());
  }
}
