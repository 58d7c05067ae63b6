package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.Discoverable;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;

/** Handlers listed in this module's test services file, to test discovery and its order. */
public final class DiscoveredHandlers {
  private DiscoveredHandlers() {}

  /** Default priority (5). */
  public static final class Beta implements ProjectRemovalAware {
    @Override
    public void onProjectRemoved(ProjectRemoval removal) {}
  }

  /** Default priority (5); sorts before {@link Beta} by class name. */
  public static final class Alpha implements ProjectRemovalAware {
    @Override
    public void onProjectRemoved(ProjectRemoval removal) {}
  }

  /** Priority 9: comes first among the discovered. */
  public static final class Urgent implements ProjectRemovalAware, Discoverable {
    @Override
    public void onProjectRemoved(ProjectRemoval removal) {}

    @Override
    public int priority() {
      return 9;
    }
  }

  /** Says it cannot work here: never loaded. */
  public static final class Unavailable implements ProjectRemovalAware, Discoverable {
    @Override
    public void onProjectRemoved(ProjectRemoval removal) {}

    @Override
    public boolean isAvailable() {
      return false;
    }
  }
}
