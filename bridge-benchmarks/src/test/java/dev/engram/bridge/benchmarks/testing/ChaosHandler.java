package dev.engram.bridge.benchmarks.testing;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.testkit.FakeProjectTracker;
import java.util.Collection;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A handler of a daemon component that holds state per project, as the chaos test needs it: it
 * tracks each project until it has handled that project's removal (so the bridge's heartbeat
 * keeps asking about it, and retries a failed call), and it misbehaves on a seeded plan.
 *
 * <ul>
 *   <li>For some projects it throws on the first one or two calls: fewer than the bridge's
 *       attempts, so a removal is never given up.
 *   <li>Some calls are slow: they wait on a latch nobody opens, up to a planned time, and stop
 *       early when interrupted.
 * </ul>
 *
 * <p>Whether a call is slow depends only on the seed, the handler, the project and the attempt,
 * never on the order in which threads happen to run.
 */
public final class ChaosHandler implements ProjectRemovalAware {
  private final int index;
  private final long seed;
  private final int[] plannedFailures;
  private final double slowChance;
  private final int slowestMillis;
  private final FakeProjectTracker tracker = new FakeProjectTracker();
  private final AtomicIntegerArray calls;
  private final AtomicIntegerArray successes;
  private final AtomicIntegerArray failures;
  private final AtomicInteger inCall = new AtomicInteger();
  private final AtomicInteger maxInCall = new AtomicInteger();
  private final AtomicInteger slowCalls = new AtomicInteger();
  private final CountDownLatch never = new CountDownLatch(1);

  /**
   * @param projects projects {@code p0} .. {@code p<projects - 1>}, all tracked at first
   * @param failChance for each project, the chance to fail its first call (and, with a quarter
   *     of that chance, its second too)
   */
  public ChaosHandler(
      int index,
      long seed,
      int projects,
      double failChance,
      double slowChance,
      int slowestMillis) {
    this.index = index;
    this.seed = seed;
    this.slowChance = slowChance;
    this.slowestMillis = slowestMillis;
    this.plannedFailures = new int[projects];
    SplittableRandom plan = new SplittableRandom(seed * 31 + index);
    for (int p = 0; p < projects; p++) {
      if (plan.nextDouble() < failChance) {
        plannedFailures[p] = plan.nextDouble() < 0.25 ? 2 : 1;
      }
    }
    this.calls = new AtomicIntegerArray(projects);
    this.successes = new AtomicIntegerArray(projects);
    this.failures = new AtomicIntegerArray(projects);
    tracker.add(ProjectIds.range(0, projects));
  }

  /** The projects this handler still holds state for. */
  public FakeProjectTracker tracker() {
    return tracker;
  }

  @Override
  public void onProjectRemoved(ProjectRemoval removal) {
    int project = ProjectIds.number(removal.projectId());
    int attempt = calls.incrementAndGet(project);
    maxInCall.accumulateAndGet(inCall.incrementAndGet(), Math::max);
    try {
      maybeSlow(project, attempt);
      if (attempt <= plannedFailures[project]) {
        failures.incrementAndGet(project);
        throw new IllegalStateException(
            "planned failure " + attempt + " of handler " + index + " for " + removal.projectId());
      }
      successes.incrementAndGet(project);
      tracker.remove(removal.projectId());
    } finally {
      inCall.decrementAndGet();
    }
  }

  private void maybeSlow(int project, int attempt) {
    SplittableRandom call = new SplittableRandom(
        seed ^ (index * 0x9E3779B97F4A7C15L) ^ (project * 1_000_003L) ^ attempt);
    if (call.nextDouble() >= slowChance) {
      return;
    }
    slowCalls.incrementAndGet();
    try {
      never.await(1 + call.nextInt(slowestMillis), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Projects among {@code expected} this handler never handled successfully. */
  public int lost(Collection<Integer> expected) {
    int lost = 0;
    for (int project : expected) {
      if (successes.get(project) == 0) {
        lost++;
      }
    }
    return lost;
  }

  /** Successful calls beyond the first, over all projects. */
  public int duplicated() {
    int duplicated = 0;
    for (int p = 0; p < successes.length(); p++) {
      duplicated += Math.max(0, successes.get(p) - 1);
    }
    return duplicated;
  }

  /** Successful calls over all projects. */
  public int delivered() {
    int delivered = 0;
    for (int p = 0; p < successes.length(); p++) {
      delivered += successes.get(p);
    }
    return delivered;
  }

  /** Calls that threw as planned. */
  public int thrown() {
    int thrown = 0;
    for (int p = 0; p < failures.length(); p++) {
      thrown += failures.get(p);
    }
    return thrown;
  }

  /** Failures planned for projects that were removed: each must have been retried through. */
  public int plannedFailures(Collection<Integer> removed) {
    int planned = 0;
    for (int project : removed) {
      planned += plannedFailures[project];
    }
    return planned;
  }

  public int slowCalls() {
    return slowCalls.get();
  }

  /** The most calls that were ever inside this handler at once; the bridge promises 1. */
  public int maxConcurrentCalls() {
    return maxInCall.get();
  }

  @Override
  public String toString() {
    return "ChaosHandler" + index;
  }
}
