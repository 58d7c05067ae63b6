package dev.engram.bridge.benchmarks.testing;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts calls per project for projects named {@code p<number>}, cheaply enough for a million
 * calls. The bridge never calls one handler from two threads at once, and its queue's lock orders
 * successive calls, so the plain array is safe; {@link #total()} is read first by checkers, which
 * makes the array's contents visible to them.
 */
public final class TallyHandler implements ProjectRemovalAware {
  private final int[] calls;
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong shared;

  /** @param projects how many projects ({@code p0} .. {@code p<projects - 1>}) can be counted */
  public TallyHandler(int projects) {
    this(projects, new AtomicLong());
  }

  /** As {@link #TallyHandler(int)}, also counting every call in {@code shared}. */
  public TallyHandler(int projects, AtomicLong shared) {
    this.calls = new int[projects];
    this.shared = shared;
  }

  @Override
  public void onProjectRemoved(ProjectRemoval removal) {
    calls[ProjectIds.number(removal.projectId())]++;
    total.incrementAndGet();
    shared.incrementAndGet();
  }

  public long total() {
    return total.get();
  }

  /** Projects in {@code [0, expected)} this handler never saw. */
  public int lost(int expected) {
    total();
    int lost = 0;
    for (int i = 0; i < expected; i++) {
      if (calls[i] == 0) {
        lost++;
      }
    }
    return lost;
  }

  /** Calls beyond the first, over all projects. */
  public int duplicated() {
    total();
    int duplicated = 0;
    for (int count : calls) {
      duplicated += Math.max(0, count - 1);
    }
    return duplicated;
  }
}
