package dev.engram.bridge.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Tells a long-running command to stop: fired by SIGTERM or SIGINT, or by a test. */
final class StopSignal {
  private final CountDownLatch fired = new CountDownLatch(1);

  void fire() {
    fired.countDown();
  }

  boolean isFired() {
    return fired.getCount() == 0;
  }

  /** Waits until fired. */
  void await() throws InterruptedException {
    fired.await();
  }

  /** Waits until fired or {@code timeout} passes; true when fired. */
  boolean await(Duration timeout) throws InterruptedException {
    return fired.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
