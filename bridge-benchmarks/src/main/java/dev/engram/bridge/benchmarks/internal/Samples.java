package dev.engram.bridge.benchmarks.internal;

import java.util.Arrays;
import java.util.Locale;

/** A set of measured values (nanoseconds, or any long), with percentiles by sorting. */
public final class Samples {
  private final long[] sorted;

  private Samples(long[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  public static Samples of(long... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    return new Samples(values);
  }

  public int count() {
    return sorted.length;
  }

  /** The value at {@code fraction} (0..1) of the sorted samples, nearest rank. */
  public long percentile(double fraction) {
    int rank = (int) Math.ceil(fraction * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  public long median() {
    return percentile(0.5);
  }

  public long min() {
    return sorted[0];
  }

  public long max() {
    return sorted[sorted.length - 1];
  }

  /** Nanoseconds as milliseconds with three decimals. */
  public static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  /** Nanoseconds as microseconds, rounded. */
  public static String us(long nanos) {
    return String.format(Locale.ROOT, "%.0f", nanos / 1e3);
  }
}
