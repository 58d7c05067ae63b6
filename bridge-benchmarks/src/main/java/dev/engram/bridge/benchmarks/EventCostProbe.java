package dev.engram.bridge.benchmarks;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.benchmarks.internal.Arrivals;
import dev.engram.bridge.benchmarks.internal.EventPushServer;
import dev.engram.bridge.benchmarks.internal.RawEventClient;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What one streamed event costs the whole process, in CPU time and context switches, for the raw
 * client and for the bridge, measured in one JVM against the same kind of server.
 *
 * <p>Throughput on two shared cores moves with whatever else runs; the CPU spent per event and
 * the number of times a thread had to sleep and be woken per event move far less, and they are
 * what a thread hop costs. Both figures include the server's share, which is the same for both
 * clients, so the difference between the rows is the bridge's own cost.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.engram.bridge.benchmarks.EventCostProbe
 * [events] [rounds]}, optionally with {@code -Dprobe.window=N} for the bridge's request window.
 * Linux only (context switches come from {@code /proc}).
 */
public final class EventCostProbe {
  private static final int POOL = 1 << 17;
  /** The bridge's request window: its default unless {@code -Dprobe.window=N} says otherwise. */
  private static final int WINDOW =
      Integer.getInteger("probe.window", StreamThroughputBenchmark.DEFAULT_WINDOW);
  private static final Duration LIMIT = Duration.ofSeconds(120);

  private EventCostProbe() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    table(events, rounds).forEach(System.out::println);
  }

  /** Measures {@code rounds} rounds of each client, as the lines of a Markdown table. */
  static List<String> table(int events, int rounds) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("| client | round | events/s | CPU us/event | switches/event |");
    lines.add("|---|---:|---:|---:|---:|");
    for (int round = 1; round <= rounds; round++) {
      lines.add(row("raw grpc-java", round, raw(events)));
      lines.add(row("bridge, 1 handler", round, bridge(events, 1)));
      lines.add(row("bridge, 10 handlers", round, bridge(events, 10)));
    }
    return lines;
  }

  /** One measurement of {@code events} events. */
  record Cost(long events, long wallNanos, long cpuNanos, long switches) {
    double perSecond() {
      return events * 1e9 / wallNanos;
    }
  }

  interface Run {
    /** Sends {@code count} events and waits until they were all handled. */
    void push(int count) throws Exception;
  }

  static Cost raw(int events) throws Exception {
    Arrivals arrivals = new Arrivals();
    long[] expected = {0};
    try (EventPushServer server = EventPushServer.start(POOL);
        RawEventClient client =
            new RawEventClient(server.port(),
            StreamThroughputBenchmark.DEFAULT_WINDOW, null, event -> arrivals.arrive())) {
      server.awaitStreams(1, Duration.ofSeconds(10));
      return measure(events, count -> {
        expected[0] += count;
        server.push(count);
        arrivals.awaitAtLeast(expected[0], LIMIT);
      });
    }
  }

  static Cost bridge(int events, int handlers) throws Exception {
    Arrivals arrivals = new Arrivals();
    long[] expected = {0};
    try (EventPushServer server = EventPushServer.start(POOL)) {
      EngramBridge.Builder builder = EngramBridge.builder()
          .config(BridgeConfig.builder().serverUrl(server.url())
              .streamRequestWindow(WINDOW).build())
          .random(new Random(1))
          .discoverServices(false);
      for (int i = 0; i < handlers; i++) {
        builder.addHandler(new Counting(arrivals));
      }
      try (EngramBridge bridge = builder.build()) {
        bridge.start();
        server.awaitStreams(1, Duration.ofSeconds(10));
        return measure(events, count -> {
          expected[0] += (long) count * handlers;
          server.push(count);
          arrivals.awaitAtLeast(expected[0], LIMIT);
        });
      }
    }
  }

  private static Cost measure(int events, Run run) throws Exception {
    // Warm up with as many events as are measured, in the same batches.
    for (int sent = 0; sent < events; sent += 10_000) {
      run.push(10_000);
    }
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean();
    long switches = contextSwitches();
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    for (int sent = 0; sent < events; sent += 10_000) {
      run.push(10_000);
    }
    long wall = System.nanoTime() - start;
    return new Cost(events, wall, os.getProcessCpuTime() - cpu, contextSwitches() - switches);
  }

  /** Voluntary and involuntary context switches of every live thread of this process. */
  private static long contextSwitches() throws IOException {
    long total = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.contains("ctxt_switches:")) {
              total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException threadEnded) {
          // A thread that ended while we read: its switches are not counted, in either row.
        }
      }
    }
    return total;
  }

  private static String row(String client, int round, Cost cost) {
    return String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f |",
        client, round, cost.perSecond(), cost.cpuNanos() / 1e3 / cost.events(),
        (double) cost.switches() / cost.events());
  }

  /** Counts calls. */
  private static final class Counting implements ProjectRemovalAware {
    private final Arrivals arrivals;

    Counting(Arrivals arrivals) {
      this.arrivals = arrivals;
    }

    @Override
    public void onProjectRemoved(ProjectRemoval removal) {
      arrivals.arrive();
    }
  }
}
