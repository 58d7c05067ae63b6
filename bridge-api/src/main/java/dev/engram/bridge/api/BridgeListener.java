package dev.engram.bridge.api;

import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Duration;
import java.util.Set;

/**
 * Observes a bridge, for metrics, tracing and tests. Every method has a no-op default, so an
 * implementation overrides only what it needs; new methods may be added with defaults.
 *
 * <h2>Threading</h2>
 *
 * Methods are called on bridge threads (the stream, the heartbeat, the handler queues) and may
 * be called concurrently. They must return quickly and must not call back into the bridge's
 * lifecycle ({@code close()}). What they throw is caught and logged.
 *
 * <h2>Registration</h2>
 *
 * Register an instance with the bridge's builder or Guice module, or list the class in
 * {@code META-INF/services/dev.engram.bridge.api.BridgeListener}. Several listeners are
 * called in turn.
 */
public interface BridgeListener {
  /** A listener that does nothing. */
  BridgeListener NONE = new BridgeListener() {};

  /** The bridge moved from {@code previous} to {@code current}. */
  default void stateChanged(BridgeState previous, BridgeState current) {}

  /**
   * A new event stream was started.
   *
   * @param resumed whether it asked the server to resume after the last event id seen
   */
  default void streamOpened(boolean resumed) {}

  /**
   * The event stream ended.
   *
   * @param failure why, or null when the server ended it cleanly (still a disconnect: the bridge
   *     reconnects)
   */
  default void streamClosed(TransportException failure) {}

  /** An event arrived on the stream, before it was checked or deduplicated. */
  default void eventReceived(ServerEvent event) {}

  /**
   * An event was not acted on: its type is not a removal (including types this version does not
   * know) or it names no project.
   */
  default void eventIgnored(ServerEvent event, String why) {}

  /** A new removal was accepted and queued for every handler. */
  default void removalAccepted(ProjectRemoval removal) {}

  /** A removal was reported again and not delivered again. */
  default void duplicateSuppressed(ProjectRemoval removal) {}

  /**
   * A reconciliation finished.
   *
   * @param localIds how many ids the trackers held and were sent
   * @param removed how many of them the server reported removed
   * @param unknown how many ids the server reported as unknown
   * @param duration how long the calls took, all chunks together
   * @param clockSkew the server's clock minus ours (positive when the server is ahead)
   */
  default void syncCompleted(
      int localIds, int removed, int unknown, Duration duration, Duration clockSkew) {}

  /** A reconciliation failed; the next one runs as scheduled. */
  default void syncFailed(TransportException failure) {}

  /**
   * The set of ids the server reports as {@code unknown} changed. These are informational and
   * never delivered as removals.
   */
  default void unknownProjectsChanged(Set<String> unknownIds) {}

  /**
   * A handler threw.
   *
   * @param attempt which attempt failed, from 1
   * @param givingUp true when no further attempt will be made for this removal
   */
  default void handlerFailed(
      ProjectRemovalAware handler,
      ProjectRemoval removal,
      Throwable error,
      int attempt,
      boolean givingUp) {}

  /** A handler call took longer than the slow-call threshold. Reported once per call. */
  default void handlerSlow(ProjectRemovalAware handler, ProjectRemoval removal, Duration elapsed) {}
}
