package dev.engram.bridge.testkit;

import com.google.common.collect.ImmutableSet;
import dev.engram.bridge.api.ProjectTracker;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link ProjectTracker} backed by a set that tests change. Thread-safe: changes may come from
 * any thread, and {@link #trackedProjectIds()} returns an immutable snapshot without blocking.
 *
 * <p>Ids keep the order they were first added. Empty ids are allowed (the bridge ignores them);
 * null ids are not.
 */
public final class FakeProjectTracker implements ProjectTracker {
  private final Object lock = new Object();
  /** Replaced, never mutated, so readers need no lock. */
  private volatile ImmutableSet<String> ids;

  /** A tracker holding {@code initialIds}. */
  public FakeProjectTracker(String... initialIds) {
    this.ids = ImmutableSet.copyOf(checked(Arrays.asList(initialIds)));
  }

  @Override
  public Set<String> trackedProjectIds() {
    return ids;
  }

  @Override
  public boolean tracks(String projectId) {
    return ids.contains(projectId);
  }

  /** Starts tracking {@code projectIds}. */
  public void add(String... projectIds) {
    add(Arrays.asList(projectIds));
  }

  /** Starts tracking {@code projectIds}. */
  public void add(Collection<String> projectIds) {
    Collection<String> added = checked(projectIds);
    synchronized (lock) {
      ids = ImmutableSet.<String>builder().addAll(ids).addAll(added).build();
    }
  }

  /** Stops tracking {@code projectIds}; ids not tracked are ignored. */
  public void remove(String... projectIds) {
    Set<String> removed = Set.copyOf(checked(Arrays.asList(projectIds)));
    synchronized (lock) {
      Set<String> kept = new LinkedHashSet<>(ids);
      kept.removeAll(removed);
      ids = ImmutableSet.copyOf(kept);
    }
  }

  /** Tracks exactly {@code projectIds} from now on. */
  public void set(Collection<String> projectIds) {
    ImmutableSet<String> replacement = ImmutableSet.copyOf(checked(projectIds));
    synchronized (lock) {
      ids = replacement;
    }
  }

  /** Tracks nothing from now on. */
  public void clear() {
    synchronized (lock) {
      ids = ImmutableSet.of();
    }
  }

  @Override
  public String toString() {
    return "FakeProjectTracker{" + ids.size() + " ids}";
  }

  private static Collection<String> checked(Collection<String> projectIds) {
    Objects.requireNonNull(projectIds, "projectIds");
    for (String id : projectIds) {
      Objects.requireNonNull(id, "a project id is null; the tracker holds only non-null ids");
    }
    return projectIds;
  }
}
