package dev.engram.bridge.benchmarks.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the heap in use every millisecond of real time, to report a peak. The figure includes
 * garbage not yet collected, so it is an upper bound on what the bridge needed.
 */
public final class HeapSampler implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final AtomicLong peak = new AtomicLong();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "heap-sampler");
        thread.setDaemon(true);
        return thread;
      });

  private HeapSampler() {
    sample();
    sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.MILLISECONDS);
  }

  public static HeapSampler start() {
    return new HeapSampler();
  }

  /** The heap in use now, in bytes. */
  public long usedNow() {
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** The largest heap in use seen so far, in bytes. */
  public long peak() {
    sample();
    return peak.get();
  }

  private void sample() {
    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }

  /** Bytes as mebibytes, for printing. */
  public static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
