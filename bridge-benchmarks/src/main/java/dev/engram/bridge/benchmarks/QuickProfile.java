package dev.engram.bridge.benchmarks;

import dev.engram.bridge.benchmarks.internal.Samples;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A quick profile of every measurement, in one command and well under ten minutes on two cores:
 * the JMH benchmarks with short settings (one fork, two for the heartbeat; 2 warm-up
 * iterations of 2 s, 4 for the stream throughput; 3 measured of 3 s), then the CPU cost per
 * event and per heartbeat tick, latency, recovery, shutdown and the reconnect herd. Prints a
 * Markdown summary with each result's spread and its ratio against its baseline, and writes it
 * to the file named by the first argument, if any.
 *
 * <pre>
 * java -cp bridge-benchmarks/target/benchmarks.jar \
 *     dev.engram.bridge.benchmarks.QuickProfile [summary.md]
 * </pre>
 *
 * <p>{@code -Dprofile.parts=jmh,cost,latency,recovery,shutdown,herd} runs only some parts.
 */
public final class QuickProfile {
  private static final String ALL_PARTS = "jmh,cost,latency,recovery,shutdown,herd";

  private final List<String> out = new ArrayList<>();
  /** The machine's load average around each part, since other work shares the two cores. */
  private final List<String> loads = new ArrayList<>();

  private QuickProfile() {}

  public static void main(String[] args) throws Exception {
    Set<String> parts = new HashSet<>(
        Arrays.asList(System.getProperty("profile.parts", ALL_PARTS).split(",")));
    QuickProfile profile = new QuickProfile();
    long started = System.nanoTime();
    profile.header();
    if (parts.contains("jmh")) {
      profile.jmh();
    }
    if (parts.contains("cost")) {
      profile.cost();
    }
    if (parts.contains("latency")) {
      profile.latency();
    }
    if (parts.contains("recovery")) {
      profile.recovery();
    }
    if (parts.contains("shutdown")) {
      profile.shutdown();
    }
    if (parts.contains("herd")) {
      profile.herd();
    }
    profile.line("");
    profile.line(String.format(Locale.ROOT, "Profile took %.1f min. System load average "
        + "(1 min) before -> after each JMH class: %s.",
        (System.nanoTime() - started) / 60e9, String.join("; ", profile.loads)));

    String summary = String.join("\n", profile.out) + "\n";
    System.out.println();
    System.out.println(summary);
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), summary, StandardCharsets.UTF_8);
    }
  }

  private void header() {
    Runtime runtime = Runtime.getRuntime();
    line("## Quick profile");
    line("");
    line(String.format(Locale.ROOT,
        "JVM %s (%s), %d processors, max heap %d MiB, %s %s; load average at start %s",
        System.getProperty("java.vm.version"), System.getProperty("java.vm.name"),
        runtime.availableProcessors(), runtime.maxMemory() >> 20,
        System.getProperty("os.name"), System.getProperty("os.arch"), load()));
  }

  // ---- JMH -----------------------------------------------------------------------------------

  private void jmh() throws RunnerException {
    List<RunResult> results = new ArrayList<>();
    results.addAll(runJmh(DedupBenchmark.class, 1, 2));
    // One fork of the heartbeat on the testkit's server moves by up to 1.5x from the next
    // (where its 100 000 projects land in the heap and what the JIT makes of them): two forks.
    results.addAll(runJmh(HeartbeatBenchmark.class, 2, 2));
    // The whole gRPC pipeline takes longer to reach its compiled steady state.
    results.addAll(runJmh(StreamThroughputBenchmark.class, 1, 4));

    line("");
    line("### JMH (1 fork, heartbeat 2; warm-up 2 x 2 s, stream throughput 4 x 2 s;"
        + " 3 x 3 s measured per fork)");
    line("");
    line("| benchmark | score | ± error (99.9%) | iterations min..max | unit |");
    line("|---|---:|---:|---:|---|");
    for (RunResult result : results) {
      line(String.format(Locale.ROOT, "| %s | %s | %s | %s..%s | %s |",
          label(result), num(score(result)), num(result.getPrimaryResult().getScoreError()),
          num(iterationMin(result)), num(iterationMax(result)),
          result.getPrimaryResult().getScoreUnit()));
    }

    line("");
    line("| comparison | ratio | target |");
    line("|---|---:|---|");
    ratio(results, "StreamThroughputBenchmark.bridge:handlers=1",
        "StreamThroughputBenchmark.raw", false, "throughput, 1 handler / raw", ">= 0.9");
    ratio(results, "StreamThroughputBenchmark.bridge:handlers=10",
        "StreamThroughputBenchmark.raw", false, "throughput, 10 handlers / raw", ">= 0.9");
    ratio(results, "StreamThroughputBenchmark.diagnosticBridgeInlineHandler",
        "StreamThroughputBenchmark.raw", false, "diagnostic: bridge, handler inline / raw", "");
    ratio(results, "StreamThroughputBenchmark.diagnosticRawWindow16",
        "StreamThroughputBenchmark.raw", false, "diagnostic: raw, window 16 / raw", "");
    ratio(results, "StreamThroughputBenchmark.diagnosticRawPooledCallbacks",
        "StreamThroughputBenchmark.raw", false, "diagnostic: raw on a callback pool / raw", "");
    for (String server : HeartbeatBenchmark.SERVERS) {
      ratio(results, "HeartbeatBenchmark.bridgeTick:server=" + server,
          "HeartbeatBenchmark.rawCalls:server=" + server, true,
          "heartbeat tick, speed bridge / raw, " + server + " server", ">= 0.9");
    }
    for (String threads : List.of("1thread", "2threads")) {
      ratio(results, "DedupBenchmark.bridgeUntracked_" + threads,
          "DedupBenchmark.baselineWindow_" + threads, false,
          "dedup marks/s untracked / window, " + threads, "");
      ratio(results, "DedupBenchmark.bridgeTracked_" + threads,
          "DedupBenchmark.baselineWindow_" + threads, false,
          "dedup marks/s tracked / window, " + threads, "");
    }
  }

  private Collection<RunResult> runJmh(Class<?> benchmark, int forks, int warmUps)
      throws RunnerException {
    String before = load();
    Options options = new OptionsBuilder()
        .include(benchmark.getName())
        .forks(forks)
        .warmupIterations(warmUps)
        .warmupTime(TimeValue.seconds(2))
        .measurementIterations(3)
        .measurementTime(TimeValue.seconds(3))
        .build();
    Collection<RunResult> results = new Runner(options).run();
    loads.add(benchmark.getSimpleName() + ": " + before + " -> " + load());
    return results;
  }

  private void ratio(
      Collection<RunResult> results,
      String subject,
      String baseline,
      boolean lowerIsBetter,
      String what,
      String target) {
    RunResult s = find(results, subject);
    RunResult b = find(results, baseline);
    if (s == null || b == null) {
      line("| " + what + " | n/a | " + target + " |");
      return;
    }
    double ratio = lowerIsBetter ? score(b) / score(s) : score(s) / score(b);
    String verdict = target.isEmpty() ? "" : " (" + (passes(ratio, target) ? "met" : "MISSED")
        + ")";
    line(String.format(Locale.ROOT, "| %s | %.2f | %s%s |", what, ratio, target, verdict));
  }

  private static boolean passes(double ratio, String target) {
    return ratio >= Double.parseDouble(target.replace(">=", "").strip());
  }

  private static RunResult find(Collection<RunResult> results, String label) {
    return results.stream().filter(r -> label(r).equals(label)).findFirst().orElse(null);
  }

  private static String label(RunResult result) {
    String benchmark = result.getParams().getBenchmark();
    String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1)
        + 1);
    Collection<String> keys = result.getParams().getParamsKeys();
    if (keys.isEmpty()) {
      return name;
    }
    return name + ":" + keys.stream()
        .map(key -> key + "=" + result.getParams().getParam(key))
        .collect(Collectors.joining(","));
  }

  private static double score(RunResult result) {
    return result.getPrimaryResult().getScore();
  }

  private static double iterationMin(RunResult result) {
    return iterations(result).stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double iterationMax(RunResult result) {
    return iterations(result).stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static List<Double> iterations(RunResult result) {
    List<Double> scores = new ArrayList<>();
    for (BenchmarkResult benchmark : result.getBenchmarkResults()) {
      for (IterationResult iteration : benchmark.getIterationResults()) {
        scores.add(iteration.getPrimaryResult().getScore());
      }
    }
    return scores;
  }

  private static String num(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    return Math.abs(value) >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.3f", value);
  }

  // ---- Scenarios -----------------------------------------------------------------------------

  /** CPU per unit of work: less moved by other load than the JMH scores are. */
  private void cost() throws Exception {
    line("");
    line("### CPU per streamed event (whole process, server included; 200 000 events a round)");
    line("");
    EventCostProbe.table(200_000, 2).forEach(this::line);
    for (String server : HeartbeatBenchmark.SERVERS) {
      line("");
      line("### CPU per heartbeat tick of 100 000 ids, " + server + " server (40 ticks a round)");
      line("");
      HeartbeatCostProbe.table(40, 2, server).forEach(this::line);
    }
  }

  private void latency() throws Exception {
    List<LatencyScenario.Round> rounds = LatencyScenario.run(5, 5_000, 3_000);
    line("");
    line("### Latency at 1 000 events/s, server send to handler call (5 rounds of 5 000 events,"
        + " both clients fed at the same moments)");
    line("");
    line("| client | round | p50 us | p90 us | p99 us | p99.9 us | max us |");
    line("|---|---:|---:|---:|---:|---:|---:|");
    for (LatencyScenario.Round r : rounds) {
      Samples s = r.latencies();
      line(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |", r.client(),
          r.round(),
          Samples.us(s.median()), Samples.us(s.percentile(0.9)), Samples.us(s.percentile(0.99)),
          Samples.us(s.percentile(0.999)), Samples.us(s.max())));
    }
    long bridgeP99 = medianOf(rounds, "bridge", s -> s.percentile(0.99));
    long rawP99 = medianOf(rounds, "raw grpc-java", s -> s.percentile(0.99));
    long bridgeP50 = medianOf(rounds, "bridge", Samples::median);
    long rawP50 = medianOf(rounds, "raw grpc-java", Samples::median);
    double ratio = medianRatio(rounds, s -> s.percentile(0.99));
    line("");
    line(String.format(Locale.ROOT,
        "Median over rounds: p50 bridge %s us / raw %s us; p99 bridge %s us / raw %s us; "
            + "median of the rounds' p99 ratios %.2f (target <= 1.2: %s).",
        Samples.us(bridgeP50), Samples.us(rawP50), Samples.us(bridgeP99), Samples.us(rawP99),
        ratio, ratio <= 1.2 ? "met" : "MISSED"));
  }

  /** The median over rounds of bridge / raw for {@code statistic}, each pair from one round. */
  private static double medianRatio(
      List<LatencyScenario.Round> rounds, ToLongFunction<Samples> statistic) {
    List<Double> ratios = new ArrayList<>();
    for (LatencyScenario.Round bridge : rounds) {
      if (!bridge.client().equals("bridge")) {
        continue;
      }
      for (LatencyScenario.Round raw : rounds) {
        if (raw.client().equals("raw grpc-java") && raw.round() == bridge.round()) {
          ratios.add((double) statistic.applyAsLong(bridge.latencies())
              / statistic.applyAsLong(raw.latencies()));
        }
      }
    }
    ratios.sort(null);
    int n = ratios.size();
    return n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
  }

  private static long medianOf(
      List<LatencyScenario.Round> rounds, String client, ToLongFunction<Samples> statistic) {
    long[] values = rounds.stream().filter(r -> r.client().equals(client))
        .mapToLong(r -> statistic.applyAsLong(r.latencies())).toArray();
    return Samples.of(values).median();
  }

  private void recovery() throws Exception {
    List<RecoveryScenario.Round> rounds = new ArrayList<>();
    rounds.addAll(RecoveryScenario.resuming(3, false));
    rounds.addAll(RecoveryScenario.resuming(3, true));
    rounds.addAll(RecoveryScenario.quiet(3));
    line("");
    line("### Recovery after a server restart (default settings)");
    line("");
    line("| client | backoff ms | restart to stream ms | attempt to stream ms "
        + "| target <= backoff + 200 ms | reconnect to delivery ms | target <= 5 000 ms |");
    line("|---|---:|---:|---:|---|---:|---|");
    for (RecoveryScenario.Round r : rounds) {
      boolean streamMet = r.restartToStreamNanos() <= r.backoffNanos() + 200_000_000L;
      boolean deliveryMet = r.reconnectToDeliveryNanos() <= 5_000_000_000L;
      line(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |", r.client(),
          Samples.ms(r.backoffNanos()), Samples.ms(r.restartToStreamNanos()),
          Samples.ms(r.attemptToStreamNanos()), streamMet ? "met" : "MISSED",
          Samples.ms(r.reconnectToDeliveryNanos()), deliveryMet ? "met" : "MISSED"));
    }
  }

  private void shutdown() throws Exception {
    line("");
    line("### close() (default grace period " + ShutdownScenario.gracePeriod().toMillis()
        + " ms, 10 handlers)");
    line("");
    line("| handlers | round | close ms | target | bridge/transport threads left |");
    line("|---|---:|---:|---|---|");
    for (ShutdownScenario.Variant variant : ShutdownScenario.Variant.values()) {
      List<ShutdownScenario.Round> rounds = ShutdownScenario.run(variant, 3);
      Duration target = variant == ShutdownScenario.Variant.IDLE
          ? Duration.ofMillis(100) : ShutdownScenario.gracePeriod();
      for (int i = 0; i < rounds.size(); i++) {
        ShutdownScenario.Round r = rounds.get(i);
        boolean met = r.closeNanos() <= target.toNanos();
        line(String.format(Locale.ROOT, "| %s | %d | %s | <= %d ms (%s) | %d %s |",
            variant.description(), i + 1, Samples.ms(r.closeNanos()), target.toMillis(),
            met ? "met" : "MISSED", r.threadsLeft().size(),
            r.threadsLeft().isEmpty() ? "" : r.threadsLeft()));
      }
    }
  }

  private void herd() {
    line("");
    line("### Reconnect herd (10 000 clients, fake clock, seed 1)");
    line("");
    line("| policy | attempts | peak per 100 ms | mean per 100 ms | peak/mean "
        + "| peak per 100 ms after the server returns | last attempt s | connected at 60 s |");
    line("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (HerdSimulation.Result r : HerdSimulation.all(10_000, 1)) {
      line(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %d | %.1f | %d |",
          r.name(), r.attempts(), r.peakWindow(), r.meanPerWindow(), r.peakToMean(),
          r.peakAfterReturn(), r.lastAttempt().toMillis() / 1000.0, r.connectedAtEnd()));
    }
  }

  private static String load() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", load);
  }

  private void line(String text) {
    out.add(text);
  }
}
