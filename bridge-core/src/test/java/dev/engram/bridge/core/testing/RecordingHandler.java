package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A handler that records every call, then runs an optional behaviour (throw, block, advance a
 * fake clock...). Thread-safe.
 */
public class RecordingHandler implements ProjectRemovalAware {
  private final List<ProjectRemoval> calls = new ArrayList<>();
  private volatile Consumer<ProjectRemoval> behaviour = removal -> {};

  /** What to do on each call, after recording it. */
  public RecordingHandler behaviour(Consumer<ProjectRemoval> behaviour) {
    this.behaviour = behaviour;
    return this;
  }

  /** Throws on every call for these projects. */
  public RecordingHandler failFor(String... projectIds) {
    List<String> failing = List.of(projectIds);
    return behaviour(removal -> {
      if (failing.contains(removal.projectId())) {
        throw new IllegalStateException("scripted failure for " + removal.projectId());
      }
    });
  }

  @Override
  public void onProjectRemoved(ProjectRemoval removal) {
    synchronized (this) {
      calls.add(removal);
    }
    behaviour.accept(removal);
  }

  public synchronized List<ProjectRemoval> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<String> projectIds() {
    List<String> ids = new ArrayList<>();
    for (ProjectRemoval removal : calls) {
      ids.add(removal.projectId());
    }
    return ids;
  }

  public synchronized int count() {
    return calls.size();
  }
}
