package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.ProjectTracker;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A tracker over a live, thread-safe set; hands out immutable snapshots. */
public final class MutableTracker implements ProjectTracker {
  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  public MutableTracker(String... initial) {
    ids.addAll(List.of(initial));
  }

  public MutableTracker add(String... more) {
    ids.addAll(List.of(more));
    return this;
  }

  public MutableTracker addAll(Collection<String> more) {
    ids.addAll(more);
    return this;
  }

  public MutableTracker remove(String... gone) {
    ids.removeAll(List.of(gone));
    return this;
  }

  @Override
  public Set<String> trackedProjectIds() {
    return Set.copyOf(ids);
  }
}
