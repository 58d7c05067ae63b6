package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's observable state. Every change is reported to the listener; the components that
 * cause a change log it themselves, at the level the change deserves, so that retry cycles
 * (connecting, backing off, connecting...) do not reach the log at INFO.
 */
final class BridgeStateHolder {
  private static final Logger logger = LoggerFactory.getLogger(BridgeStateHolder.class);

  private final AtomicReference<BridgeState> state = new AtomicReference<>(BridgeState.NEW);
  private final AtomicReference<Instant> lastFresh = new AtomicReference<>();
  private final BridgeListener listener;

  BridgeStateHolder(BridgeListener listener) {
    this.listener = listener;
  }

  BridgeState get() {
    return state.get();
  }

  /** The server was just confirmed reachable: a stream was accepted or a sync succeeded. */
  void markFresh(Instant at) {
    lastFresh.set(at);
  }

  Optional<Instant> lastConfirmedFresh() {
    return Optional.ofNullable(lastFresh.get());
  }

  /**
   * Moves to {@code next} unless the bridge is stopped (final).
   *
   * @return whether the state changed
   */
  boolean moveTo(BridgeState next) {
    BridgeState previous;
    do {
      previous = state.get();
      if (previous == next || previous == BridgeState.STOPPED) {
        return false;
      }
    } while (!state.compareAndSet(previous, next));
    logger.atDebug()
        .addKeyValue("previous", previous)
        .addKeyValue("state", next)
        .log("state changed");
    listener.stateChanged(previous, next);
    return true;
  }
}
