package dev.engram.bridge.api;

import java.util.Set;

/**
 * Tells the bridge which projects this daemon holds state for.
 *
 * <p>The bridge reconciles the union of every tracker's ids with the server, so a removal that
 * the event stream missed is still found. It also uses the union to decide how long to remember
 * a delivered removal: while a removed project is still tracked, the bridge remembers it and
 * does not deliver it again; once it leaves every tracker and later comes back, a new removal
 * is delivered again.
 *
 * <h2>Contract</h2>
 *
 * Both methods are called from bridge threads and must be cheap, thread-safe and non-blocking.
 * {@link #trackedProjectIds()} is called at every reconciliation and must return a snapshot that
 * does not change afterwards (for example {@code Set.copyOf(live)}). Null or empty ids in it are
 * ignored. {@link #tracks(String)} is called for every removal the event stream reports; its
 * default takes a whole snapshot for that one look-up, so a tracker whose snapshot is a copy of
 * many ids should override it with a look-up in its live set. An exception thrown from either
 * skips that tracker for that one call and is logged.
 *
 * <h2>Registration</h2>
 *
 * Register an instance with the bridge's builder or Guice module, or list the class in
 * {@code META-INF/services/dev.engram.bridge.api.ProjectTracker}.
 */
@FunctionalInterface
public interface ProjectTracker {

  /** A snapshot of the ids of the projects this daemon currently holds state for. */
  Set<String> trackedProjectIds();

  /**
   * Whether this daemon holds state for {@code projectId} now. The default looks in {@link
   * #trackedProjectIds()}; override it when that snapshot costs more than a look-up, for
   * example {@code return live.contains(projectId);} over a concurrent set.
   *
   * @param projectId a project id, never null or empty
   */
  default boolean tracks(String projectId) {
    Set<String> ids = trackedProjectIds();
    return ids != null && ids.contains(projectId);
  }
}
