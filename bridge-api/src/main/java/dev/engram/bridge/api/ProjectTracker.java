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
 * {@link #trackedProjectIds()} is called from bridge threads, at every reconciliation and when
 * removals arrive. It must be cheap, thread-safe and non-blocking, and return a snapshot that
 * does not change afterwards (for example {@code Set.copyOf(live)}). Null or empty ids in it are
 * ignored. An exception thrown from it skips that tracker for that one call and is logged.
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
}
