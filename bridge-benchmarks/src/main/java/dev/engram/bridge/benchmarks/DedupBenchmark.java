package dev.engram.bridge.benchmarks;

import dev.engram.bridge.core.internal.DeduplicatorAccess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Dedup marks per second, on one and two threads sharing one deduplicator: the engine's {@code
 * Deduplicator} against a plain synchronized, insertion-ordered {@code LinkedHashMap} window of
 * the same size (the structure the original bridge's LRU amounts to, made exact).
 *
 * <p>The ids: a fixed seeded sequence of 65 536 reports in which 30% repeat one of the last 200
 * distinct ids and the rest are new, cycled. Untracked removals go to the engine's fixed window,
 * as the baseline's do; tracked ones are kept for as long as they stay tracked (after the first
 * cycle every report is a repeat, which is what a server that keeps reporting a removed but still
 * tracked project costs).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class DedupBenchmark {
  static final int WINDOW = 1024;
  static final int SEQUENCE = 1 << 16;
  private static final double REPEAT_SHARE = 0.3;
  private static final int REPEAT_DISTANCE = 200;

  /** The ids, in report order. */
  static final String[] IDS = sequence(SEQUENCE, 42);

  /** What both threads share: one deduplicator, or one baseline window. */
  @State(Scope.Benchmark)
  public static class Shared {
    DeduplicatorAccess bridge;
    SynchronizedWindow baseline;

    @Setup(Level.Trial)
    public void build() {
      bridge = new DeduplicatorAccess(WINDOW);
      baseline = new SynchronizedWindow(WINDOW);
    }
  }

  /** Each thread walks the sequence from its own offset. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup(Level.Trial)
    public void place(ThreadParams thread) {
      next = thread.getThreadIndex() * (SEQUENCE / 2);
    }

    String nextId() {
      String id = IDS[next];
      next = (next + 1) & (SEQUENCE - 1);
      return id;
    }
  }

  @Benchmark
  @Threads(1)
  public boolean bridgeUntracked_1thread(Shared shared, Cursor cursor) {
    return shared.bridge.mark(cursor.nextId(), false);
  }

  @Benchmark
  @Threads(2)
  public boolean bridgeUntracked_2threads(Shared shared, Cursor cursor) {
    return shared.bridge.mark(cursor.nextId(), false);
  }

  @Benchmark
  @Threads(1)
  public boolean bridgeTracked_1thread(Shared shared, Cursor cursor) {
    return shared.bridge.mark(cursor.nextId(), true);
  }

  @Benchmark
  @Threads(2)
  public boolean bridgeTracked_2threads(Shared shared, Cursor cursor) {
    return shared.bridge.mark(cursor.nextId(), true);
  }

  @Benchmark
  @Threads(1)
  public boolean baselineWindow_1thread(Shared shared, Cursor cursor) {
    return shared.baseline.mark(cursor.nextId());
  }

  @Benchmark
  @Threads(2)
  public boolean baselineWindow_2threads(Shared shared, Cursor cursor) {
    return shared.baseline.mark(cursor.nextId());
  }

  static String[] sequence(int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> recent = new ArrayList<>();
    String[] ids = new String[length];
    int fresh = 0;
    for (int i = 0; i < length; i++) {
      if (!recent.isEmpty() && random.nextDouble() < REPEAT_SHARE) {
        ids[i] = recent.get(random.nextInt(recent.size()));
        continue;
      }
      String id = "project-" + Integer.toHexString(0x100000 + fresh++);
      ids[i] = id;
      recent.add(id);
      if (recent.size() > REPEAT_DISTANCE) {
        recent.remove(0);
      }
    }
    return ids;
  }

  /** The baseline: the last {@code capacity} distinct ids, under one lock. */
  static final class SynchronizedWindow {
    private final Map<String, Boolean> seen;

    SynchronizedWindow(int capacity) {
      this.seen = new LinkedHashMap<>(capacity * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > capacity;
        }
      };
    }

    /** @return whether {@code id} was not in the window */
    synchronized boolean mark(String id) {
      return seen.putIfAbsent(id, Boolean.TRUE) == null;
    }
  }
}
