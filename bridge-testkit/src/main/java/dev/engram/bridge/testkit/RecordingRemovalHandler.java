package dev.engram.bridge.testkit;

import com.google.common.collect.ImmutableList;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A {@link ProjectRemovalAware} that records every call, for tests. Thread-safe.
 *
 * <p>Wait for removals with {@link #await(int, Duration)}; check that no more arrived with
 * {@link #assertNoMoreThan(int)} (now) or {@link #assertNoMoreThan(int, Duration)} (over a
 * window of real time). It can also misbehave on purpose: {@link #failNextCalls(int)} makes calls
 * throw {@link InjectedFailure}, and {@link #blockCalls()} makes them wait until {@link
 * #release()}, for tests of failing and slow handlers. {@link #maxConcurrentCalls()} tells
 * whether the caller ever overlapped two calls.
 *
 * <p>Every call is recorded when it arrives, before it blocks or throws.
 */
public final class RecordingRemovalHandler implements ProjectRemovalAware {
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled on every arrival and release. */
  private final Condition changed = lock.newCondition();
  private final List<ProjectRemoval> removals = new ArrayList<>();
  private int failuresLeft;
  private boolean blocking;
  private int blockedNow;
  private int inCall;
  private int maxInCall;

  /** A handler that records and returns at once until told otherwise. */
  public RecordingRemovalHandler() {}

  /**
   * Records the removal; then, as scripted, waits while calls are blocked and throws if told to
   * fail. A blocked call that is interrupted stops waiting and returns with its interrupt flag
   * set, as a well-behaved handler should.
   *
   * @throws InjectedFailure if told to fail this call
   */
  @Override
  public void onProjectRemoved(ProjectRemoval removal) {
    lock.lock();
    try {
      removals.add(removal);
      inCall++;
      maxInCall = Math.max(maxInCall, inCall);
      changed.signalAll();

      boolean fail = failuresLeft > 0;
      if (fail) {
        failuresLeft--;
      }
      waitWhileBlocked();
      if (fail) {
        throw new InjectedFailure(removal.projectId());
      }
    } finally {
      inCall--;
      changed.signalAll();
      lock.unlock();
    }
  }

  /** Every removal received so far, in arrival order; an immutable snapshot. */
  public List<ProjectRemoval> removals() {
    lock.lock();
    try {
      return ImmutableList.copyOf(removals);
    } finally {
      lock.unlock();
    }
  }

  /** The project ids of {@link #removals()}, in arrival order. */
  public List<String> projectIds() {
    return removals().stream()
        .map(ProjectRemoval::projectId)
        .collect(ImmutableList.toImmutableList());
  }

  /** How many calls arrived so far. */
  public int count() {
    lock.lock();
    try {
      return removals.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until at least {@code count} calls have arrived, and returns every removal received
   * (which may be more than {@code count}).
   *
   * @throws AssertionError if fewer arrive within {@code timeout}; the message lists what did
   */
  public List<ProjectRemoval> await(int count, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    lock.lock();
    try {
      if (!awaitLocked(() -> removals.size() >= count, timeout)) {
        throw new AssertionError("expected at least " + count + " removal(s) within " + timeout
            + " but " + removals.size() + " arrived: " + removals);
      }
      return ImmutableList.copyOf(removals);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks that no more than {@code count} calls have arrived so far.
   *
   * @throws AssertionError listing every removal if more did
   */
  public void assertNoMoreThan(int count) {
    lock.lock();
    try {
      if (removals.size() > count) {
        throw tooMany(count);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks that no more than {@code count} calls arrive within {@code window} of real time:
   * waits out the window, failing as soon as one more arrives. Use where deliveries happen on
   * real threads and "nothing more" needs a moment to be believable.
   *
   * @throws AssertionError listing every removal if more arrived
   */
  public void assertNoMoreThan(int count, Duration window) {
    Objects.requireNonNull(window, "window");
    lock.lock();
    try {
      if (awaitLocked(() -> removals.size() > count, window)) {
        throw tooMany(count);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Makes the next {@code count} calls throw {@link InjectedFailure} (after recording them, and
   * after any blocking), replacing any earlier such script.
   */
  public void failNextCalls(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count is " + count + "; expected 0 or more");
    }
    lock.lock();
    try {
      failuresLeft = count;
    } finally {
      lock.unlock();
    }
  }

  /** Makes calls, from now on, wait inside the handler until {@link #release()}. */
  public void blockCalls() {
    lock.lock();
    try {
      blocking = true;
    } finally {
      lock.unlock();
    }
  }

  /** Lets every blocked call return, and later calls return at once. */
  public void release() {
    lock.lock();
    try {
      blocking = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** How many calls are waiting inside the handler now, because of {@link #blockCalls()}. */
  public int blockedCalls() {
    lock.lock();
    try {
      return blockedNow;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The most calls that were ever inside the handler at once; 1 for a caller that never overlaps
   * calls, 0 before any call. Calls that return at once rarely overlap even when a caller allows
   * it: block calls ({@link #blockCalls()}) to catch a caller that would call again meanwhile.
   */
  public int maxConcurrentCalls() {
    lock.lock();
    try {
      return maxInCall;
    } finally {
      lock.unlock();
    }
  }

  /** Arrival count and state; removals are listed by {@link #removals()}. */
  @Override
  public String toString() {
    lock.lock();
    try {
      return "RecordingRemovalHandler{received=" + removals.size()
          + (blocking ? ", blocking" : "") + (failuresLeft > 0 ? ", failing" : "") + "}";
    } finally {
      lock.unlock();
    }
  }

  private void waitWhileBlocked() {
    if (!blocking) {
      return;
    }
    blockedNow++;
    changed.signalAll();
    try {
      while (blocking) {
        changed.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      blockedNow--;
    }
  }

  private boolean awaitLocked(BooleanSupplier done, Duration timeout) {
    long remaining = saturatedNanos(timeout);
    try {
      while (!done.getAsBoolean()) {
        if (remaining <= 0) {
          return false;
        }
        remaining = changed.awaitNanos(remaining);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for removals", e);
    }
  }

  private static long saturatedNanos(Duration timeout) {
    try {
      return Math.max(0, timeout.toNanos());
    } catch (ArithmeticException e) {
      return TimeUnit.DAYS.toNanos(365);
    }
  }

  private AssertionError tooMany(int count) {
    return new AssertionError("expected no more than " + count + " removal(s) but "
        + removals.size() + " arrived: " + removals);
  }

  /** What a {@link RecordingRemovalHandler} throws when told to fail. */
  public static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String projectId;

    InjectedFailure(String projectId) {
      super("RecordingRemovalHandler was told to fail this call (project " + projectId + ")");
      this.projectId = projectId;
    }

    /** The project id of the call that failed. */
    public String projectId() {
      return projectId;
    }
  }
}
