package dev.engram.bridge.benchmarks;

import com.google.common.util.concurrent.MoreExecutors;
import dev.engram.bridge.benchmarks.internal.AttemptHistogram;
import dev.engram.bridge.benchmarks.internal.SimulatedServer;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The reconnect herd: many clients lose their server at the same instant, and it comes back a
 * while later. How bunched up are their reconnect attempts?
 *
 * <p>Everything runs on one {@link FakeClock}, without sockets, in a few seconds of real time.
 * Two ways to drive a client:
 *
 * <ul>
 *   <li>{@link #bridges}: real {@link EngramBridge}s (the real stream loop, timers and backoff
 *       policy) over a {@link SimulatedServer}. This is how our rules behave.
 *   <li>{@link #model}: a few lines that retry with a {@link BackoffPolicy}, optionally resetting
 *       the attempt count whenever a call starts. The original bridge reset on every call start,
 *       which the engine deliberately cannot do, so the original is measured this way (with the
 *       real {@link BackoffPolicy#original()}). Running the model with our rules too checks the
 *       model against the engine.
 * </ul>
 *
 * <p>The metric: attempts are counted in 100 ms windows over the first 60 s after the loss; the
 * peak-to-mean ratio is the largest window count divided by the mean count per window.
 */
public final class HerdSimulation {
  /** The server is gone this long. */
  public static final Duration OUTAGE = Duration.ofSeconds(10);
  /** Attempts are counted over this span from the loss. */
  public static final Duration OBSERVED = Duration.ofSeconds(60);
  public static final Duration WINDOW = Duration.ofMillis(100);
  /** Clients connect and settle (streams accepted, first syncs done) before the loss. */
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** What one simulation saw. */
  public record Result(
      String name,
      int clients,
      long attempts,
      int peakWindow,
      double meanPerWindow,
      int peakAfterReturn,
      Duration lastAttempt,
      int connectedAtEnd) {

    /** The largest window count divided by the mean count per window. */
    public double peakToMean() {
      return peakWindow / meanPerWindow;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "%s: clients=%d attempts=%d peak/100ms=%d mean/100ms=%.1f peak/mean=%.1f "
              + "peakAfterReturn/100ms=%d lastAttempt=%.1fs connectedAtEnd=%d",
          name, clients, attempts, peakWindow, meanPerWindow, peakToMean(), peakAfterReturn,
          lastAttempt.toMillis() / 1000.0, connectedAtEnd);
    }
  }

  private HerdSimulation() {}

  /** Our rules, through real bridges. */
  public static Result ours(int clients, long seed) {
    return bridges("ours (engine, defaults)", BackoffPolicy.defaults(), clients, seed);
  }

  /** The original rules: x2 from 1 s, no jitter, attempt count reset on every call start. */
  public static Result original(int clients, long seed) {
    return model("original (model, reset on call start)", BackoffPolicy.original(), true,
        clients, seed);
  }

  /**
   * Real bridges with the given backoff: they reset only on evidence that a stream was accepted.
   */
  public static Result bridges(String name, BackoffPolicy policy, int clients, long seed) {
    FakeClock clock = new FakeClock();
    AttemptHistogram attempts = new AttemptHistogram(WINDOW, OBSERVED);
    SimulatedServer server = new SimulatedServer(clock, attempts);
    BridgeConfig config = BridgeConfig.builder().backoff(policy).build();
    // Consecutive seeds give java.util.Random correlated first draws: seed each from a mixer.
    SplittableRandom seeds = new SplittableRandom(seed);
    List<EngramBridge> fleet = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      EngramBridge bridge = EngramBridge.builder()
          .config(config)
          .transport(server.newTransport())
          .ticker(clock.ticker())
          .wallClock(clock.wallClock())
          .scheduler(clock.scheduler())
          .handlerExecutor(MoreExecutors.directExecutor())
          .random(new Random(seeds.nextLong()))
          .discoverServices(false)
          .build();
      fleet.add(bridge);
      bridge.start();
    }
    clock.advance(SETTLE);

    attempts.startAt(clock.nanoTime());
    clock.scheduler().schedule(server::comeBack, OUTAGE.toNanos(), TimeUnit.NANOSECONDS);
    server.goDown();
    clock.advance(OBSERVED);
    int connected = server.openStreams();
    fleet.forEach(EngramBridge::close);
    return result(name, clients, attempts, connected);
  }

  /**
   * Clients that retry with {@code policy}; with {@code resetOnCallStart} the attempt count goes
   * back to zero whenever a call starts, as in the original bridge.
   */
  public static Result model(
      String name, BackoffPolicy policy, boolean resetOnCallStart, int clients, long seed) {
    FakeClock clock = new FakeClock();
    AttemptHistogram attempts = new AttemptHistogram(WINDOW, OBSERVED);
    boolean[] up = {true};
    SplittableRandom seeds = new SplittableRandom(seed);
    List<ModelClient> fleet = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      fleet.add(new ModelClient(clock, attempts, up, policy, resetOnCallStart,
          new Random(seeds.nextLong())));
    }
    clock.advance(SETTLE);

    attempts.startAt(clock.nanoTime());
    clock.scheduler().schedule(() -> up[0] = true, OUTAGE.toNanos(), TimeUnit.NANOSECONDS);
    up[0] = false;
    fleet.forEach(ModelClient::lost);
    clock.advance(OBSERVED);
    int connected = (int) fleet.stream().filter(client -> client.connected).count();
    return result(name, clients, attempts, connected);
  }

  private static Result result(
      String name, int clients, AttemptHistogram attempts, int connected) {
    int returnWindow = (int) (OUTAGE.toNanos() / WINDOW.toNanos());
    return new Result(name, clients, attempts.total(), attempts.peak(), attempts.mean(),
        attempts.peakFrom(returnWindow),
        WINDOW.multipliedBy(attempts.lastBusyWindow() + 1L), connected);
  }

  /** Prints the herd numbers for both policies, and the cross-checks. */
  public static void main(String[] args) {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    for (Result result : all(clients, seed)) {
      System.out.println(result);
    }
  }

  /**
   * Every variant, for the report: ours, the original, the cross-checks, and what it would take
   * to flatten the first 60 s (the widest jitter the policy allows, first retries spread over
   * half a minute, and over the whole minute: the one that gets there, by keeping clients away).
   */
  public static List<Result> all(int clients, long seed) {
    return List.of(
        ours(clients, seed),
        original(clients, seed),
        model("ours (model, reset on evidence)", BackoffPolicy.defaults(), false, clients, seed),
        bridges("x2 no jitter (engine, reset on evidence)", BackoffPolicy.original(), clients,
            seed),
        model("what if: +-90% jitter (model)", BackoffPolicy.builder().jitter(0.9).build(),
            false, clients, seed),
        model("what if: first retry 16 s +-90% (model)",
            BackoffPolicy.builder().initialDelay(Duration.ofSeconds(16)).jitter(0.9).build(),
            false, clients, seed),
        model("what if: first retry 30 s +-99% (model)",
            BackoffPolicy.builder().initialDelay(Duration.ofSeconds(30))
                .maxDelay(Duration.ofSeconds(60)).jitter(0.99).build(),
            false, clients, seed));
  }

  /** A client reduced to its reconnect loop. */
  private static final class ModelClient {
    private final FakeClock clock;
    private final AttemptHistogram attempts;
    private final boolean[] up;
    private final BackoffPolicy policy;
    private final boolean resetOnCallStart;
    private final Random random;
    private int failures;
    private boolean connected = true;

    ModelClient(
        FakeClock clock,
        AttemptHistogram attempts,
        boolean[] up,
        BackoffPolicy policy,
        boolean resetOnCallStart,
        Random random) {
      this.clock = clock;
      this.attempts = attempts;
      this.up = up;
      this.policy = policy;
      this.resetOnCallStart = resetOnCallStart;
      this.random = random;
    }

    /** The open stream failed: the server accepted it earlier, so the count starts at zero. */
    void lost() {
      connected = false;
      failures = 0;
      retryLater();
    }

    private void attempt() {
      attempts.record(clock.nanoTime());
      if (resetOnCallStart) {
        failures = 0;
      }
      if (up[0]) {
        connected = true;
        return;
      }
      retryLater();
    }

    private void retryLater() {
      Duration wait = policy.delay(failures, random);
      failures++;
      clock.scheduler().schedule(this::attempt, wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
