package dev.engram.bridge.benchmarks.internal;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts arrivals (events received, handler calls) from any threads and wakes one waiting
 * thread when a target is reached. Cheap on the arriving side: one atomic increment and a
 * volatile read; the waiter parks instead of spinning, which on two cores would take a core from
 * the very pipeline being measured.
 */
public final class Arrivals {
  private final AtomicLong count = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile Thread waiter;

  public void arrive() {
    if (count.incrementAndGet() >= target) {
      Thread waiting = waiter;
      if (waiting != null) {
        LockSupport.unpark(waiting);
      }
    }
  }

  public long count() {
    return count.get();
  }

  /**
   * Waits until at least {@code wanted} arrivals were counted. One waiter at a time.
   *
   * @throws TimeoutException if they were not within {@code timeout}
   */
  public void awaitAtLeast(long wanted, Duration timeout) throws TimeoutException {
    waiter = Thread.currentThread();
    target = wanted;
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count.get() < wanted) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(
              "waited " + timeout + " for " + wanted + " arrivals; " + count.get() + " came");
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      target = Long.MAX_VALUE;
      waiter = null;
    }
  }
}
