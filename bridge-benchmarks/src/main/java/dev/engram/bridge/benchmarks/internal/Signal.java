package dev.engram.bridge.benchmarks.internal;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition without polling: whoever changes what the condition reads calls
 * {@link #changed()} afterwards, and waiters re-check then. Waits are bounded.
 */
public final class Signal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Something a waiter may be waiting for has changed. */
  public void changed() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code done} holds.
   *
   * @throws TimeoutException naming {@code what} if it does not within {@code timeout}
   */
  public void await(BooleanSupplier done, Duration timeout, String what)
      throws TimeoutException, InterruptedException {
    lock.lock();
    try {
      long left = timeout.toNanos();
      while (!done.getAsBoolean()) {
        if (left <= 0) {
          throw new TimeoutException("waited " + timeout + " for " + what);
        }
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }
}
