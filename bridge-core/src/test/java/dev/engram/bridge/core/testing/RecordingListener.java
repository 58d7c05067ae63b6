package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Records what a bridge reports. Thread-safe. */
public final class RecordingListener implements BridgeListener {
  /** One {@code handlerFailed} call. */
  public record Failure(
      ProjectRemovalAware handler, String projectId, Throwable error, int attempt,
      boolean givingUp) {}

  /** One {@code syncCompleted} call. */
  public record Sync(int localIds, int removed, int unknown, Duration duration, Duration skew) {}

  /** One {@code handlerSlow} call. */
  public record Slow(ProjectRemovalAware handler, String projectId, Duration elapsed) {}

  private final List<BridgeState> states = new ArrayList<>();
  private final List<Boolean> opened = new ArrayList<>();
  private final List<TransportException> closed = new ArrayList<>();
  private final List<String> ignored = new ArrayList<>();
  private final List<ProjectRemoval> accepted = new ArrayList<>();
  private final List<ProjectRemoval> duplicates = new ArrayList<>();
  private final List<Sync> syncs = new ArrayList<>();
  private final List<TransportException> syncFailures = new ArrayList<>();
  private final List<Set<String>> unknownChanges = new ArrayList<>();
  private final List<Failure> failures = new ArrayList<>();
  private final List<Slow> slow = new ArrayList<>();
  private int received;

  @Override
  public synchronized void stateChanged(BridgeState previous, BridgeState current) {
    states.add(current);
  }

  @Override
  public synchronized void streamOpened(boolean resumed) {
    opened.add(resumed);
  }

  @Override
  public synchronized void streamClosed(TransportException failure) {
    closed.add(failure);
  }

  @Override
  public synchronized void eventReceived(ServerEvent event) {
    received++;
  }

  @Override
  public synchronized void eventIgnored(ServerEvent event, String why) {
    ignored.add(event.eventId() + ": " + why);
  }

  @Override
  public synchronized void removalAccepted(ProjectRemoval removal) {
    accepted.add(removal);
  }

  @Override
  public synchronized void duplicateSuppressed(ProjectRemoval removal) {
    duplicates.add(removal);
  }

  @Override
  public synchronized void syncCompleted(
      int localIds, int removed, int unknown, Duration duration, Duration clockSkew) {
    syncs.add(new Sync(localIds, removed, unknown, duration, clockSkew));
  }

  @Override
  public synchronized void syncFailed(TransportException failure) {
    syncFailures.add(failure);
  }

  @Override
  public synchronized void unknownProjectsChanged(Set<String> unknownIds) {
    unknownChanges.add(unknownIds);
  }

  @Override
  public synchronized void handlerFailed(
      ProjectRemovalAware handler, ProjectRemoval removal, Throwable error, int attempt,
      boolean givingUp) {
    failures.add(new Failure(handler, removal.projectId(), error, attempt, givingUp));
  }

  @Override
  public synchronized void handlerSlow(
      ProjectRemovalAware handler, ProjectRemoval removal, Duration elapsed) {
    slow.add(new Slow(handler, removal.projectId(), elapsed));
  }

  public synchronized List<BridgeState> states() {
    return List.copyOf(states);
  }

  public synchronized List<Boolean> streamsOpened() {
    return List.copyOf(opened);
  }

  public synchronized int streamsClosed() {
    return closed.size();
  }

  public synchronized int eventsReceived() {
    return received;
  }

  public synchronized List<String> ignored() {
    return List.copyOf(ignored);
  }

  public synchronized List<ProjectRemoval> accepted() {
    return List.copyOf(accepted);
  }

  public synchronized List<ProjectRemoval> duplicates() {
    return List.copyOf(duplicates);
  }

  public synchronized List<Sync> syncs() {
    return List.copyOf(syncs);
  }

  public synchronized List<TransportException> syncFailures() {
    return List.copyOf(syncFailures);
  }

  public synchronized List<Set<String>> unknownChanges() {
    return List.copyOf(unknownChanges);
  }

  public synchronized List<Failure> failures() {
    return List.copyOf(failures);
  }

  public synchronized List<Slow> slow() {
    return List.copyOf(slow);
  }
}
