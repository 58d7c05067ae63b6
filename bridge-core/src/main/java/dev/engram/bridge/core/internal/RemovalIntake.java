package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemoval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where both paths hand in removals: the {@link Deduplicator} decides which handlers still need
 * the removal, and the {@link FanOut} delivers it to them. Serial context only.
 */
final class RemovalIntake {
  /** The only event type acted on; the deduplication key includes it. */
  static final String REMOVED = "REMOVED";

  private static final Logger logger = LoggerFactory.getLogger(RemovalIntake.class);

  private final Deduplicator dedup;
  private final FanOut fanOut;
  private final BridgeListener listener;

  RemovalIntake(Deduplicator dedup, FanOut fanOut, BridgeListener listener) {
    this.dedup = dedup;
    this.fanOut = fanOut;
    this.listener = listener;
  }

  /**
   * Takes a reported removal.
   *
   * @param tracked whether some tracker holds the project
   * @param onAccepted run once every handler that needs it has taken it (at once for a
   *     duplicate); the stream uses it to ask for the next event
   */
  void accept(ProjectRemoval removal, boolean tracked, Runnable onAccepted) {
    Deduplicator.Decision decision = dedup.offer(REMOVED, removal.projectId(), tracked);
    switch (decision.verdict()) {
      case NEW:
        logger.atDebug()
            .addKeyValue("project_id", removal.projectId())
            .addKeyValue("source", removal.source().wireName())
            .addKeyValue("tracked", tracked)
            .log("removal accepted");
        listener.removalAccepted(removal);
        fanOut.submit(removal, decision.delivery(), decision.handlers(), onAccepted);
        break;
      case RETRY:
        logger.atDebug()
            .addKeyValue("project_id", removal.projectId())
            .addKeyValue("source", removal.source().wireName())
            .addKeyValue("handlers", decision.handlers().size())
            .log("removal reported again; calling the handlers that failed");
        fanOut.submit(removal, decision.delivery(), decision.handlers(), onAccepted);
        break;
      default:
        logger.atDebug()
            .addKeyValue("project_id", removal.projectId())
            .addKeyValue("source", removal.source().wireName())
            .log("duplicate removal suppressed");
        listener.duplicateSuppressed(removal);
        onAccepted.run();
        break;
    }
  }
}
