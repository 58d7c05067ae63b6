package dev.engram.bridge.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Where the time of one heartbeat tick with 100 000 tracked ids goes: CPU time per tick of the
 * client's threads and of the server's, for the bridge and for the raw blocking stub, each
 * against its own server in the same JVM (the setups of {@link HeartbeatBenchmark}, with either
 * of its servers).
 *
 * <p>The server answers ten calls of 10 000 ids per tick; the testkit's does most of the work of
 * a tick, and its share moves between runs on two shared cores, moving the wall time of both
 * clients with it. The client's CPU per tick is the bridge's own cost, and that is what this
 * probe separates out.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.engram.bridge.benchmarks.HeartbeatCostProbe
 * [ticks] [rounds] [lean|testkit]}.
 */
public final class HeartbeatCostProbe {
  /** Thread names of the two servers: the testkit's and the benchmarks' own. */
  private static final List<String> SERVER_THREADS = List.of("fake-engram", "push-server");
  private static final int WARM_UP_TICKS = 60;

  private HeartbeatCostProbe() {}

  public static void main(String[] args) throws Exception {
    int ticks = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String server = args.length > 2 ? args[2] : "lean";
    table(ticks, rounds, server).forEach(System.out::println);
  }

  /**
   * Measures {@code rounds} rounds of each client against the {@code server} kind of {@link
   * HeartbeatBenchmark}, as the lines of a Markdown table.
   */
  static List<String> table(int ticks, int rounds, String server) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("| client | round | wall ms/tick | client CPU ms/tick | server CPU ms/tick |");
    lines.add("|---|---:|---:|---:|---:|");
    for (int round = 1; round <= rounds; round++) {
      lines.add(row("raw grpc-java blocking stub", round, raw(server, ticks)));
      lines.add(row("bridge heartbeat", round, bridge(server, ticks)));
    }
    return lines;
  }

  /** CPU per tick, split between the server's threads and everyone else's. */
  record Cost(int ticks, long wallNanos, long clientCpuNanos, long serverCpuNanos) {}

  interface Tick {
    void run() throws TimeoutException;
  }

  static Cost raw(String server, int ticks) throws Exception {
    HeartbeatBenchmark benchmark = new HeartbeatBenchmark();
    HeartbeatBenchmark.RawSide side = new HeartbeatBenchmark.RawSide();
    side.server = server;
    side.start();
    try {
      return measure(ticks, () -> benchmark.rawCalls(side));
    } finally {
      side.stop();
    }
  }

  static Cost bridge(String server, int ticks) throws Exception {
    HeartbeatBenchmark benchmark = new HeartbeatBenchmark();
    HeartbeatBenchmark.BridgeSide side = new HeartbeatBenchmark.BridgeSide();
    side.server = server;
    side.start();
    try {
      return measure(ticks, () -> benchmark.bridgeTick(side));
    } finally {
      side.stop();
    }
  }

  private static Cost measure(int ticks, Tick tick) throws TimeoutException {
    for (int i = 0; i < WARM_UP_TICKS; i++) {
      tick.run();
    }
    long[] before = threadCpu();
    long start = System.nanoTime();
    for (int i = 0; i < ticks; i++) {
      tick.run();
    }
    long wall = System.nanoTime() - start;
    long[] after = threadCpu();
    return new Cost(ticks, wall, after[0] - before[0], after[1] - before[1]);
  }

  /**
   * CPU time of live threads so far: [client, server]. Threads that end between two readings
   * lose their share; the setups here start every thread before the first reading.
   */
  private static long[] threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] cpu = new long[2];
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      long nanos = threads.getThreadCpuTime(thread.getId());
      if (nanos > 0) {
        cpu[isServers(thread) ? 1 : 0] += nanos;
      }
    }
    return cpu;
  }

  private static boolean isServers(Thread thread) {
    return SERVER_THREADS.stream().anyMatch(thread.getName()::startsWith);
  }

  private static String row(String client, int round, Cost cost) {
    return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |",
        client, round, perTick(cost.wallNanos(), cost.ticks()),
        perTick(cost.clientCpuNanos(), cost.ticks()),
        perTick(cost.serverCpuNanos(), cost.ticks()));
  }

  private static double perTick(long nanos, int ticks) {
    return nanos / 1e6 / ticks;
  }
}
