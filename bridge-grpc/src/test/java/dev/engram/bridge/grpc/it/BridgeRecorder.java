package dev.engram.bridge.grpc.it;

import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@link BridgeListener} that records what a real bridge reports, with the real time of each
 * stream open and close, and waits for it. Thread-safe: the bridge calls it from its own threads
 * and the transport's.
 */
final class BridgeRecorder implements BridgeListener {
  /**
   * How long the waits here allow. Each ends as soon as its condition holds, so this only
   * bounds a failing test; it is generous for a loaded two-core machine.
   */
  static final Duration WAIT = Duration.ofSeconds(10);

  /** A stream the bridge opened, and when. */
  record Opened(boolean resumed, long atNanos) {}

  /** A stream that ended, and when; {@code failure} is null for a clean end by the server. */
  record Closed(TransportException failure, long atNanos) {
    FailureKind kind() {
      return failure == null ? null : failure.kind();
    }

    String status() {
      return failure == null ? "OK" : failure.status();
    }
  }

  /** One finished reconciliation. */
  record Synced(int localIds, int removed, int unknown) {}

  private final Ticker ticker = Ticker.systemTicker();
  private final List<BridgeState> states = new ArrayList<>();
  private final List<Opened> opened = new ArrayList<>();
  private final List<Closed> closed = new ArrayList<>();
  private final List<Synced> synced = new ArrayList<>();
  private final List<TransportException> syncFailures = new ArrayList<>();
  private final List<ServerEvent> events = new ArrayList<>();
  private final List<ProjectRemoval> duplicates = new ArrayList<>();

  @Override
  public synchronized void stateChanged(BridgeState previous, BridgeState current) {
    states.add(current);
  }

  @Override
  public synchronized void streamOpened(boolean resumed) {
    opened.add(new Opened(resumed, ticker.read()));
  }

  @Override
  public synchronized void streamClosed(TransportException failure) {
    closed.add(new Closed(failure, ticker.read()));
  }

  @Override
  public synchronized void eventReceived(ServerEvent event) {
    events.add(event);
  }

  @Override
  public synchronized void duplicateSuppressed(ProjectRemoval removal) {
    duplicates.add(removal);
  }

  @Override
  public synchronized void syncCompleted(
      int localIds, int removed, int unknown, Duration duration, Duration clockSkew) {
    synced.add(new Synced(localIds, removed, unknown));
  }

  @Override
  public synchronized void syncFailed(TransportException failure) {
    syncFailures.add(failure);
  }

  synchronized List<BridgeState> states() {
    return List.copyOf(states);
  }

  synchronized List<Opened> opened() {
    return List.copyOf(opened);
  }

  synchronized List<Closed> closed() {
    return List.copyOf(closed);
  }

  synchronized List<Synced> synced() {
    return List.copyOf(synced);
  }

  synchronized List<TransportException> syncFailures() {
    return List.copyOf(syncFailures);
  }

  synchronized List<ServerEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<ProjectRemoval> duplicates() {
    return List.copyOf(duplicates);
  }

  /** Waits until the bridge has reported {@code state} at some point. */
  void awaitState(BridgeState state) {
    await("state " + state).atMost(WAIT).until(() -> states().contains(state));
  }

  /** Waits until at least {@code count} streams were opened; returns them all. */
  List<Opened> awaitOpened(int count) {
    await(count + " stream(s) opened").atMost(WAIT).until(() -> opened().size() >= count);
    return opened();
  }

  /** Waits for the first closed stream that matches; returns it. */
  Closed awaitClosed(Predicate<Closed> matching) {
    await("a matching stream close").atMost(WAIT)
        .until(() -> closed().stream().anyMatch(matching));
    return closed().stream().filter(matching).findFirst().orElseThrow();
  }

  /** Waits until at least {@code count} reconciliations have finished; returns them all. */
  List<Synced> awaitSynced(int count) {
    await(count + " reconciliation(s)").atMost(WAIT).until(() -> synced().size() >= count);
    return synced();
  }

  /** Now, on the clock of the records' times. */
  long now() {
    return ticker.read();
  }
}
