package dev.engram.bridge.benchmarks.internal;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches one bridge from the outside, stamping with {@link System#nanoTime()}: when each stream
 * attempt started and ended, when each project's removal reached the handler, which state the
 * bridge is in. It is both the bridge's listener and one of its handlers.
 */
public final class BridgeProbe implements BridgeListener, ProjectRemovalAware {
  private final List<Long> attemptsAt = new CopyOnWriteArrayList<>();
  private final List<Long> failuresAt = new CopyOnWriteArrayList<>();
  private final Map<String, Long> deliveredAt = new ConcurrentHashMap<>();
  private final AtomicInteger events = new AtomicInteger();
  private final AtomicInteger syncs = new AtomicInteger();
  private volatile BridgeState state = BridgeState.NEW;
  private volatile long lastSyncAt = -1;
  private final Signal changed = new Signal();

  @Override
  public void streamOpened(boolean resumed) {
    attemptsAt.add(System.nanoTime());
  }

  @Override
  public void streamClosed(TransportException failure) {
    failuresAt.add(System.nanoTime());
    changed.changed();
  }

  @Override
  public void eventReceived(ServerEvent event) {
    events.incrementAndGet();
    changed.changed();
  }

  @Override
  public void syncCompleted(
      int localIds, int removed, int unknown, Duration duration, Duration clockSkew) {
    lastSyncAt = System.nanoTime();
    syncs.incrementAndGet();
    changed.changed();
  }

  @Override
  public void stateChanged(BridgeState previous, BridgeState current) {
    state = current;
    changed.changed();
  }

  @Override
  public void onProjectRemoved(ProjectRemoval removal) {
    deliveredAt.putIfAbsent(removal.projectId(), System.nanoTime());
    changed.changed();
  }

  public BridgeState state() {
    return state;
  }

  public int events() {
    return events.get();
  }

  public int syncs() {
    return syncs.get();
  }

  public int failures() {
    return failuresAt.size();
  }

  /** When the first stream attempt at or after {@code nanos} started, or -1. */
  public long firstAttemptAfter(long nanos) {
    return attemptsAt.stream().filter(at -> at >= nanos).findFirst().orElse(-1L);
  }

  /** When the first stream ending at or after {@code nanos} was reported, or -1. */
  public long firstFailureAfter(long nanos) {
    return failuresAt.stream().filter(at -> at >= nanos).findFirst().orElse(-1L);
  }

  /** Waits until {@code projectId} reached the handler, and says when it did. */
  public long awaitDelivery(String projectId, Duration timeout)
      throws TimeoutException, InterruptedException {
    changed.await(() -> deliveredAt.containsKey(projectId), timeout, "removal of " + projectId);
    return deliveredAt.get(projectId);
  }

  public void awaitEvents(int count, Duration timeout)
      throws TimeoutException, InterruptedException {
    changed.await(() -> events.get() >= count, timeout, count + " events received");
  }

  /**
   * Waits until the stream is accepted (so the backoff is reset) and a reconciliation has
   * completed since the stream was opened.
   */
  public void awaitSettled(Duration timeout) throws TimeoutException, InterruptedException {
    changed.await(() -> state == BridgeState.CONNECTED && !attemptsAt.isEmpty()
            && lastSyncAt > attemptsAt.get(attemptsAt.size() - 1), timeout,
        "an accepted stream and a reconciliation since it opened");
  }

  public void awaitFailures(int count, Duration timeout)
      throws TimeoutException, InterruptedException {
    changed.await(() -> failuresAt.size() >= count, timeout, count + " stream endings");
  }
}
