package dev.engram.bridge.core.testing;

import dev.engram.bridge.testkit.FakeClock;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Moving a fake clock until something happens. */
public final class Waits {
  /** The resolution of {@link #advanceUntil}. */
  public static final Duration STEP = Duration.ofMillis(10);

  private Waits() {}

  /**
   * Advances {@code clock} in {@link #STEP}s until {@code condition} holds.
   *
   * @return how much fake time that took
   * @throws AssertionError if it did not hold within {@code limit}
   */
  public static Duration advanceUntil(FakeClock clock, Duration limit, BooleanSupplier condition) {
    Duration elapsed = Duration.ZERO;
    clock.runDueTasks();
    while (!condition.getAsBoolean()) {
      if (elapsed.compareTo(limit) >= 0) {
        throw new AssertionError("condition not met within " + limit + " of fake time");
      }
      clock.advance(STEP);
      elapsed = elapsed.plus(STEP);
    }
    return elapsed;
  }

  /** Advances until the transport has opened more than {@code streams} streams. */
  public static Duration untilStreamAfter(FakeClock clock, FakeTransport transport, int streams) {
    return advanceUntil(clock, Duration.ofMinutes(2), () -> transport.openCalls() > streams);
  }
}
