package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls every registered listener in turn. What one throws is logged (a warning the first time
 * per listener, then at debug so that a broken listener cannot flood the log) and does not
 * reach the others or the engine.
 */
final class ListenerChain implements BridgeListener {
  private static final Logger logger = LoggerFactory.getLogger(ListenerChain.class);

  private final List<BridgeListener> listeners;
  private final Set<BridgeListener> warned = ConcurrentHashMap.newKeySet();

  ListenerChain(List<BridgeListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(String method, Consumer<BridgeListener> call) {
    for (BridgeListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        boolean first = warned.add(listener);
        (first ? logger.atWarn() : logger.atDebug())
            .addKeyValue("listener", listener.getClass().getName())
            .addKeyValue("method", method)
            .setCause(e)
            .log("listener threw; ignored");
      }
    }
  }

  @Override
  public void stateChanged(BridgeState previous, BridgeState current) {
    each("stateChanged", l -> l.stateChanged(previous, current));
  }

  @Override
  public void streamOpened(boolean resumed) {
    each("streamOpened", l -> l.streamOpened(resumed));
  }

  @Override
  public void streamClosed(TransportException failure) {
    each("streamClosed", l -> l.streamClosed(failure));
  }

  @Override
  public void eventReceived(ServerEvent event) {
    each("eventReceived", l -> l.eventReceived(event));
  }

  @Override
  public void eventIgnored(ServerEvent event, String why) {
    each("eventIgnored", l -> l.eventIgnored(event, why));
  }

  @Override
  public void removalAccepted(ProjectRemoval removal) {
    each("removalAccepted", l -> l.removalAccepted(removal));
  }

  @Override
  public void duplicateSuppressed(ProjectRemoval removal) {
    each("duplicateSuppressed", l -> l.duplicateSuppressed(removal));
  }

  @Override
  public void syncCompleted(
      int localIds, int removed, int unknown, Duration duration, Duration clockSkew) {
    each("syncCompleted", l -> l.syncCompleted(localIds, removed, unknown, duration, clockSkew));
  }

  @Override
  public void syncFailed(TransportException failure) {
    each("syncFailed", l -> l.syncFailed(failure));
  }

  @Override
  public void unknownProjectsChanged(Set<String> unknownIds) {
    each("unknownProjectsChanged", l -> l.unknownProjectsChanged(unknownIds));
  }

  @Override
  public void handlerFailed(
      ProjectRemovalAware handler,
      ProjectRemoval removal,
      Throwable error,
      int attempt,
      boolean givingUp) {
    each("handlerFailed", l -> l.handlerFailed(handler, removal, error, attempt, givingUp));
  }

  @Override
  public void handlerSlow(ProjectRemovalAware handler, ProjectRemoval removal, Duration elapsed) {
    each("handlerSlow", l -> l.handlerSlow(handler, removal, elapsed));
  }
}
