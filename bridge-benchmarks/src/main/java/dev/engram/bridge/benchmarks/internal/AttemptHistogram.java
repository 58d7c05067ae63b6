package dev.engram.bridge.benchmarks.internal;

import java.time.Duration;

/**
 * Counts reconnect attempts in fixed windows of fake time, from a start instant for a given
 * span. Attempts outside the span are not counted. Not thread-safe: the herd runs on the thread
 * that advances the fake clock.
 */
public final class AttemptHistogram {
  private final long windowNanos;
  private final int[] counts;
  private long startNanos = -1;

  public AttemptHistogram(Duration window, Duration span) {
    this.windowNanos = window.toNanos();
    this.counts = new int[Math.toIntExact(span.toNanos() / windowNanos)];
  }

  /** Counting starts now: {@code nowNanos} is the start of the first window. */
  public void startAt(long nowNanos) {
    startNanos = nowNanos;
  }

  public void record(long nowNanos) {
    if (startNanos < 0 || nowNanos < startNanos) {
      return;
    }
    long index = (nowNanos - startNanos) / windowNanos;
    if (index < counts.length) {
      counts[(int) index]++;
    }
  }

  public int windows() {
    return counts.length;
  }

  public long total() {
    long sum = 0;
    for (int count : counts) {
      sum += count;
    }
    return sum;
  }

  /** The largest count in any window. */
  public int peak() {
    return peakFrom(0);
  }

  /** The largest count in any window starting at or after {@code fromWindow}. */
  public int peakFrom(int fromWindow) {
    int peak = 0;
    for (int i = fromWindow; i < counts.length; i++) {
      peak = Math.max(peak, counts[i]);
    }
    return peak;
  }

  public double mean() {
    return (double) total() / counts.length;
  }

  /** How many windows saw at least one attempt. */
  public int busyWindows() {
    int busy = 0;
    for (int count : counts) {
      if (count > 0) {
        busy++;
      }
    }
    return busy;
  }

  /** The index of the last window that saw an attempt, or -1. */
  public int lastBusyWindow() {
    for (int i = counts.length - 1; i >= 0; i--) {
      if (counts[i] > 0) {
        return i;
      }
    }
    return -1;
  }

  /** The count of one window. */
  public int count(int window) {
    return counts[window];
  }
}
