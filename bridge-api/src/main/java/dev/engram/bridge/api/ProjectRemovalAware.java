package dev.engram.bridge.api;

/**
 * What a daemon implements to hear that a project was removed on the server.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Once per removal.</b> The bridge deduplicates what the event stream and the
 *       reconciliation report, so each removal reaches each handler once. The exception is a
 *       call that throws: the bridge calls again when the removal is reported again, up to three
 *       attempts in all. Handlers should therefore be idempotent for the same project id.
 *   <li><b>Never concurrently.</b> Each handler has its own serial queue: calls to one handler
 *       never overlap and arrive in the order the bridge accepted the removals. Different
 *       handlers run at the same time, on different threads.
 *   <li><b>Stable order.</b> Handlers registered explicitly come first, in registration order;
 *       then those discovered through {@code ServiceLoader}, by {@link Discoverable#priority()}
 *       (highest first) and then by class name.
 *   <li><b>Do not block for long.</b> A call slower than the bridge's threshold (5 s by default)
 *       is reported as slow. While a handler's queue is full the bridge stops reading the event
 *       stream. On {@code close()} a handler still running after the grace period is
 *       interrupted and then abandoned: respond to interruption.
 *   <li><b>What it throws is contained.</b> An exception is logged with the handler's class and
 *       the project id, reported to listeners, and affects no other handler.
 * </ul>
 *
 * <h2>Registration</h2>
 *
 * Either register an instance with the bridge's builder or Guice module, or list the class in a
 * file named {@code META-INF/services/dev.engram.bridge.api.ProjectRemovalAware} on the
 * classpath; a discovered class needs a public no-argument constructor.
 */
@FunctionalInterface
public interface ProjectRemovalAware {

  /**
   * Called when {@code removal.projectId()} no longer exists on the server. Drop whatever state
   * the daemon holds for it.
   */
  void onProjectRemoved(ProjectRemoval removal);
}
