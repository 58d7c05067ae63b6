package dev.engram.bridge.benchmarks.testing;

import dev.engram.bridge.testkit.FakeEngramServer;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Removes projects on a {@link FakeEngramServer} while disrupting it at random: streams ended
 * with every status, opens and syncs failed or stalled, restarts on the same port, replay and
 * token switched on and off. Every choice comes from the seed (the removals and the disruptions
 * from separate streams of it), and everything runs on one scheduler thread, so the sequence of
 * actions follows from the seed; their timing against the bridge's threads does not.
 */
public final class ChaosDriver implements AutoCloseable {
  /** Stream endings: every status code but UNIMPLEMENTED (which ends streaming for good). */
  private static final List<Status> STREAM_ENDINGS = List.of(
      Status.OK, Status.CANCELLED, Status.UNKNOWN, Status.INVALID_ARGUMENT,
      Status.DEADLINE_EXCEEDED, Status.NOT_FOUND, Status.ALREADY_EXISTS,
      Status.PERMISSION_DENIED, Status.RESOURCE_EXHAUSTED, Status.FAILED_PRECONDITION,
      Status.ABORTED, Status.OUT_OF_RANGE, Status.INTERNAL, Status.UNAVAILABLE,
      Status.DATA_LOSS, Status.UNAUTHENTICATED);
  private static final List<Status> OPEN_FAILURES = List.of(
      Status.UNAVAILABLE, Status.INTERNAL, Status.UNAUTHENTICATED, Status.PERMISSION_DENIED,
      Status.RESOURCE_EXHAUSTED, Status.INVALID_ARGUMENT, Status.ABORTED, Status.OUT_OF_RANGE);
  private static final List<Status> SYNC_FAILURES = List.of(
      Status.UNAVAILABLE, Status.INTERNAL, Status.DEADLINE_EXCEEDED, Status.INVALID_ARGUMENT,
      Status.UNAUTHENTICATED, Status.CANCELLED);
  private static final String TOKEN = "chaos-token";

  private final FakeEngramServer server;
  /** Paces the removals. */
  private final SplittableRandom removals;
  /** Chooses the disruptions: a stream of its own, so their sequence follows from the seed. */
  private final SplittableRandom random;
  private final List<Integer> order;
  private final Duration period;
  private final boolean mayTurnStreamingOff;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread driver = new Thread(runnable, "chaos-driver");
        driver.setDaemon(true);
        return driver;
      });
  private final CountDownLatch removalsDone = new CountDownLatch(1);
  private final CountDownLatch chaosDone = new CountDownLatch(1);
  private final Map<String, Integer> actions = new TreeMap<>();
  private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
  private final long startNanos;
  private final long deadlineNanos;
  private int next;
  private boolean replay;
  private boolean streamingTurnedOff;

  /**
   * @param projects projects {@code p0} .. {@code p<projects - 1>}, all removed, in random order
   * @param period how long removals and disruptions go on
   * @param mayTurnStreamingOff whether an UNIMPLEMENTED answer (the bridge then relies on the
   *     heartbeat alone) may be among the disruptions
   */
  public ChaosDriver(
      FakeEngramServer server,
      long seed,
      int projects,
      Duration period,
      boolean mayTurnStreamingOff) {
    this.server = server;
    SplittableRandom root = new SplittableRandom(seed);
    this.period = period;
    this.mayTurnStreamingOff = mayTurnStreamingOff;
    List<Integer> shuffled = new ArrayList<>();
    for (int p = 0; p < projects; p++) {
      shuffled.add(p);
    }
    for (int i = shuffled.size() - 1; i > 0; i--) {
      Collections.swap(shuffled, i, root.nextInt(i + 1));
    }
    this.order = shuffled;
    this.removals = root.split();
    this.random = root.split();
    this.startNanos = System.nanoTime();
    this.deadlineNanos = startNanos + period.toNanos();
  }

  /** Starts removing and disrupting; returns at once. */
  public void start() {
    thread.execute(this::removeNext);
    thread.schedule(this::disrupt, 200, TimeUnit.MILLISECONDS);
  }

  /**
   * Waits until every project was removed and the chaos period is over, then heals the server:
   * running, no scripted failures, no token, no delay.
   *
   * @return whether that happened within {@code timeout}
   */
  public boolean finishAndHeal(Duration timeout) throws InterruptedException {
    long limit = System.nanoTime() + timeout.toNanos();
    boolean done = removalsDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS)
        && chaosDone.await(Math.max(0, limit - System.nanoTime()), TimeUnit.NANOSECONDS);
    CountDownLatch healed = new CountDownLatch(1);
    thread.execute(() -> {
      server.setToken(null);
      server.failNextStreams(0, Status.UNAVAILABLE);
      server.failNextSyncs(0, Status.UNAVAILABLE);
      server.stallNextSyncs(0);
      server.delaySyncs(Duration.ZERO);
      server.start();
      healed.countDown();
    });
    return healed.await(Math.max(1, limit - System.nanoTime()), TimeUnit.NANOSECONDS) && done;
  }

  /** How many times each action ran, by name (and status). */
  public Map<String, Integer> actions() {
    return Map.copyOf(actions);
  }

  /** Exceptions thrown by the server while being disrupted; none is expected. */
  public List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /** Whether an UNIMPLEMENTED answer turned the bridge's stream off during this run. */
  public boolean streamingTurnedOff() {
    return streamingTurnedOff;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  private void removeNext() {
    if (next >= order.size()) {
      removalsDone.countDown();
      return;
    }
    String id = ProjectIds.id(order.get(next++));
    guarded(() -> {
      if (removals.nextDouble() < 0.1) {
        server.removeProjectWithoutEvent(id);
      } else {
        server.removeProject(id, "chaos");
      }
    });
    long meanGapNanos = period.toNanos() / order.size();
    thread.schedule(this::removeNext, removals.nextLong(2 * meanGapNanos),
        TimeUnit.NANOSECONDS);
  }

  private void disrupt() {
    if (System.nanoTime() >= deadlineNanos) {
      chaosDone.countDown();
      return;
    }
    guarded(this::oneDisruption);
    thread.schedule(this::disrupt, 100 + random.nextInt(400), TimeUnit.MILLISECONDS);
  }

  private void oneDisruption() {
    int roll = random.nextInt(100);
    if (roll < 28) {
      endWhenOpen(pick(STREAM_ENDINGS), 20);
    } else if (roll < 40) {
      Status status = pick(OPEN_FAILURES);
      int count = 1 + random.nextInt(3);
      count("failNextStreams " + status.getCode());
      server.failNextStreams(count, status);
      server.endStreams(Status.UNAVAILABLE);
    } else if (roll < 50) {
      count("restart");
      server.stop();
      thread.schedule(() -> guarded(server::start), 100 + random.nextInt(700),
          TimeUnit.MILLISECONDS);
    } else if (roll < 58) {
      Status status = pick(SYNC_FAILURES);
      count("failNextSyncs " + status.getCode());
      server.failNextSyncs(1 + random.nextInt(3), status);
    } else if (roll < 66) {
      count("stallNextSyncs");
      server.stallNextSyncs(1 + random.nextInt(2));
    } else if (roll < 70) {
      count("delaySyncs");
      server.delaySyncs(Duration.ofMillis(50 + random.nextInt(350)));
      thread.schedule(() -> server.delaySyncs(Duration.ZERO), 300 + random.nextInt(700),
          TimeUnit.MILLISECONDS);
    } else if (roll < 76) {
      replay = !replay;
      count("replay " + (replay ? "on" : "off"));
      server.setReplay(replay);
    } else if (roll < 82) {
      count("token outage");
      server.setToken(TOKEN);
      server.endStreams(Status.UNAVAILABLE);
      thread.schedule(() -> server.setToken(null), 200 + random.nextInt(400),
          TimeUnit.MILLISECONDS);
    } else if (roll < 97) {
      repeatRemovals(1 + random.nextInt(5));
    } else if (mayTurnStreamingOff && !streamingTurnedOff && lastQuarter()) {
      count("streaming off (UNIMPLEMENTED)");
      streamingTurnedOff = true;
      server.failNextStreams(1, Status.UNIMPLEMENTED);
      server.endStreams(Status.UNAVAILABLE);
    } else {
      endWhenOpen(Status.CANCELLED.withDescription("chaos"), 20);
    }
  }

  /**
   * The server announces removals it already announced, as an at-least-once stream may: each
   * must be suppressed (or, for a handler that failed, count as its retry).
   */
  private void repeatRemovals(int count) {
    if (next == 0) {
      return;
    }
    count("repeated removal events");
    for (int i = 0; i < count; i++) {
      String id = ProjectIds.id(order.get(random.nextInt(next)));
      server.emitEvent(1, id, "announced again");
    }
  }

  /**
   * Ends the open stream with {@code status}; when none is open (the bridge is backing off),
   * tries again a little later, so that every status really reaches a stream.
   */
  private void endWhenOpen(Status status, int triesLeft) {
    if (server.openStreamCount() > 0 && server.endStreams(status) > 0) {
      count("endStreams " + status.getCode());
    } else if (triesLeft > 0 && System.nanoTime() < deadlineNanos) {
      thread.schedule(() -> guarded(() -> endWhenOpen(status, triesLeft - 1)), 50,
          TimeUnit.MILLISECONDS);
    } else {
      count("endStreams " + status.getCode() + " (no stream open)");
    }
  }

  /** Streaming goes off only late, so that most of a run exercises the stream. */
  private boolean lastQuarter() {
    return System.nanoTime() - startNanos > period.toNanos() * 3 / 4;
  }

  private Status pick(List<Status> statuses) {
    return statuses.get(random.nextInt(statuses.size()))
        .withDescription("chaos");
  }

  private void count(String action) {
    actions.merge(action, 1, Integer::sum);
  }

  private void guarded(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException | Error e) {
      errors.add(e);
    }
  }
}
