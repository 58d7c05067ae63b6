package dev.engram.bridge.testkit.internal;

import com.google.common.collect.ImmutableSet;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventType;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import dev.engram.bridge.testkit.RecordedStreamOpen;
import dev.engram.bridge.testkit.RecordedSyncRequest;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the fake server knows, behind one lock: live projects and their heartbeat times,
 * the event history, open streams, scripted behaviour and what was recorded.
 *
 * <p>It outlives the gRPC server that serves it, so stopping and starting keeps projects, event
 * ids and history, as a real server's database would. Calls into gRPC (sending events, ending
 * calls) happen after the lock is released.
 */
public final class ServerState {
  /** How many records of each kind (sync calls, stream opens) are kept. */
  public static final int RECORDS_KEPT = 1_000;

  private static final Logger logger = LoggerFactory.getLogger(ServerState.class);

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled whenever the lock is released, for the bounded waits. */
  private final Condition changed = lock.newCondition();

  private final Clock clock;
  private final int maxIdsPerSync;
  private final int subscriberBuffer;
  private final Duration unknownAfter;

  private Duration clockSkew;
  private boolean replay;
  /** Read by the token check on gRPC threads without the lock. */
  private volatile String token;
  private boolean accepting;

  /** Live project ids with the time each was last reported (or added). */
  private final Map<String, Instant> liveProjects = new LinkedHashMap<>();
  private final EventHistory history;
  private long lastEventNumber;
  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private final Set<PendingSync> heldSyncs = new HashSet<>();
  private long totalStreamsOpened;
  private long droppedEvents;
  private long authFailures;

  private int syncStallsLeft;
  private int syncFailuresLeft;
  private Status syncFailure;
  private Duration syncDelay = Duration.ZERO;
  private int streamFailuresLeft;
  private Status streamFailure;

  private final RecordLog<RecordedSyncRequest> syncRequests = new RecordLog<>(RECORDS_KEPT);
  private final RecordLog<RecordedStreamOpen> streamOpens = new RecordLog<>(RECORDS_KEPT);

  /**
   * A state with the given fixed settings; {@code token} may be null (any caller is accepted).
   */
  public ServerState(
      Clock clock,
      Duration clockSkew,
      int maxIdsPerSync,
      int subscriberBuffer,
      Duration unknownAfter,
      boolean replay,
      int historySize,
      String token) {
    this.clock = clock;
    this.clockSkew = clockSkew;
    this.maxIdsPerSync = maxIdsPerSync;
    this.subscriberBuffer = subscriberBuffer;
    this.unknownAfter = unknownAfter;
    this.replay = replay;
    this.history = new EventHistory(historySize);
    this.token = token;
  }

  // ---- Projects and events -------------------------------------------------------------------

  /** Makes {@code ids} live; a project already live keeps its heartbeat time. */
  public void addProjects(Collection<String> ids) {
    List<String> copy = List.copyOf(ids);
    withLock(() -> {
      Instant now = clock.instant();
      copy.forEach(id -> liveProjects.putIfAbsent(id, now));
    });
  }

  /** Removes a project, and emits a REMOVED event for it with the next event id. */
  public ProjectEvent removeProject(String projectId, String reason) {
    return publishGenerated(ProjectEventType.PROJECT_EVENT_TYPE_REMOVED_VALUE, projectId, reason,
        true);
  }

  /** Removes a project without telling the streams; only a sync finds out. */
  public void removeProjectWithoutEvent(String projectId) {
    withLock(() -> liveProjects.remove(projectId));
  }

  /** Emits an event with the next event id; the set of live projects does not change. */
  public ProjectEvent emitEvent(int typeNumber, String projectId, String reason) {
    return publishGenerated(typeNumber, projectId, reason, false);
  }

  /** Emits {@code event} exactly as given. */
  public void emitRaw(ProjectEvent event) {
    List<Subscriber> targets;
    lock.lock();
    try {
      targets = publishLocked(event);
    } finally {
      lock.unlock();
    }
    targets.forEach(Subscriber::drain);
  }

  /** The live project ids, in the order they were added. */
  public Set<String> liveProjects() {
    return fromLock(() -> ImmutableSet.copyOf(liveProjects.keySet()));
  }

  private ProjectEvent publishGenerated(
      int typeNumber, String projectId, String reason, boolean removesProject) {
    ProjectEvent event;
    List<Subscriber> targets;
    lock.lock();
    try {
      if (removesProject) {
        liveProjects.remove(projectId);
      }
      event = ProjectEvent.newBuilder()
          .setEventId(Long.toString(++lastEventNumber))
          .setEventTypeValue(typeNumber)
          .setProjectId(projectId)
          .setTimestampUnixMs(serverNow().toEpochMilli())
          .setReason(reason)
          .build();
      targets = publishLocked(event);
    } finally {
      lock.unlock();
    }
    targets.forEach(Subscriber::drain);
    return event;
  }

  private List<Subscriber> publishLocked(ProjectEvent event) {
    history.add(event);
    for (Subscriber subscriber : subscribers) {
      if (!subscriber.offer(event)) {
        droppedEvents++;
        logger.atDebug()
            .addKeyValue("event_id", event.getEventId())
            .addKeyValue("subscriber_buffer", subscriberBuffer)
            .log("subscriber buffer full; event dropped");
      }
    }
    changed.signalAll();
    return List.copyOf(subscribers);
  }

  private Instant serverNow() {
    return clock.instant().plus(clockSkew);
  }

  // ---- SyncProjectState ----------------------------------------------------------------------

  /** Records a sync call and decides what to do with it. */
  SyncPlan onSync(
      SyncProjectStateRequest request, Map<String, List<String>> headers, PendingSync call) {
    lock.lock();
    try {
      syncRequests.add(RecordedSyncRequest.of(request, headers));
      SyncPlan plan = planSyncLocked(request);
      if (plan.holdsCall()) {
        heldSyncs.add(call);
      }
      changed.signalAll();
      return plan;
    } finally {
      lock.unlock();
    }
  }

  private SyncPlan planSyncLocked(SyncProjectStateRequest request) {
    if (!accepting) {
      return SyncPlan.fail(stopping(), Duration.ZERO);
    }
    if (syncStallsLeft > 0) {
      syncStallsLeft--;
      return SyncPlan.stall();
    }
    if (syncFailuresLeft > 0) {
      syncFailuresLeft--;
      return SyncPlan.fail(syncFailure, syncDelay);
    }
    if (request.getClientId().isEmpty()) {
      return SyncPlan.fail(
          Status.INVALID_ARGUMENT.withDescription(
              "client_id is empty; every SyncProjectState call must name its client"),
          syncDelay);
    }
    int count = request.getLocalProjectIdsCount();
    if (count > maxIdsPerSync) {
      return SyncPlan.fail(
          Status.INVALID_ARGUMENT.withDescription(
              "local_project_ids holds " + count + " ids, more than the limit of "
                  + maxIdsPerSync + " per call; send them in several calls"),
          syncDelay);
    }
    return SyncPlan.answer(answerLocked(request), syncDelay);
  }

  private SyncProjectStateResponse answerLocked(SyncProjectStateRequest request) {
    Instant now = clock.instant();
    Set<String> removed = new LinkedHashSet<>();
    for (String id : request.getLocalProjectIdsList()) {
      if (liveProjects.containsKey(id)) {
        liveProjects.put(id, now);
      } else {
        removed.add(id);
      }
    }
    List<String> unknown = liveProjects.entrySet().stream()
        .filter(entry -> Duration.between(entry.getValue(), now).compareTo(unknownAfter) > 0)
        .map(Map.Entry::getKey)
        .collect(Collectors.toList());
    return SyncProjectStateResponse.newBuilder()
        .addAllRemoved(removed)
        .addAllUnknown(unknown)
        .setServerTimeUnixMs(now.plus(clockSkew).toEpochMilli())
        .build();
  }

  /** Forgets a held sync call once it was answered or the client gave up. */
  void release(PendingSync call) {
    withLock(() -> heldSyncs.remove(call));
  }

  /** Ends every sync call still waiting for its answer (stalled or delayed). */
  public void failHeldSyncs(Status status) {
    List<PendingSync> held = fromLock(() -> {
      List<PendingSync> copy = new ArrayList<>(heldSyncs);
      heldSyncs.clear();
      return copy;
    });
    held.forEach(call -> call.fail(status));
  }

  // ---- ProjectEvents -------------------------------------------------------------------------

  /**
   * Records a stream open and either registers {@code subscriber} (with any events to replay)
   * or returns the status to close the stream with.
   */
  Optional<Status> openStream(
      ProjectEventsRequest request, Map<String, List<String>> headers, Subscriber subscriber) {
    lock.lock();
    try {
      Status rejection = streamRejectionLocked(request);
      List<ProjectEvent> toReplay = List.of();
      if (rejection == null && !request.getSinceEventId().isEmpty()) {
        Optional<List<ProjectEvent>> after = history.eventsAfter(request.getSinceEventId());
        if (after.isPresent()) {
          toReplay = after.get();
        } else {
          rejection = Status.OUT_OF_RANGE.withDescription(
              "cannot resume after event " + request.getSinceEventId()
                  + ": the server no longer holds every event after it; open a fresh stream "
                  + "without since_event_id and reconcile");
        }
      }
      streamOpens.add(RecordedStreamOpen.of(
          request, headers, rejection == null ? Status.Code.OK : rejection.getCode()));
      if (rejection == null) {
        subscriber.preload(toReplay);
        subscribers.add(subscriber);
        totalStreamsOpened++;
      }
      changed.signalAll();
      return Optional.ofNullable(rejection);
    } finally {
      lock.unlock();
    }
  }

  private Status streamRejectionLocked(ProjectEventsRequest request) {
    if (!accepting) {
      return stopping();
    }
    if (streamFailuresLeft > 0) {
      streamFailuresLeft--;
      return streamFailure;
    }
    if (request.getClientId().isEmpty()) {
      return Status.INVALID_ARGUMENT.withDescription(
          "client_id is empty; every ProjectEvents call must name its client");
    }
    if (!request.getSinceEventId().isEmpty() && !replay) {
      return Status.OUT_OF_RANGE.withDescription(
          "cannot resume after event " + request.getSinceEventId()
              + ": this server keeps no event history; open a fresh stream without "
              + "since_event_id and reconcile");
    }
    return null;
  }

  /** Forgets a stream the client ended. */
  void unsubscribe(Subscriber subscriber) {
    withLock(() -> subscribers.remove(subscriber));
  }

  /** Ends every open stream with {@code status}; returns how many there were. */
  public int endStreams(Status status) {
    List<Subscriber> open = fromLock(() -> {
      List<Subscriber> copy = new ArrayList<>(subscribers);
      subscribers.clear();
      return copy;
    });
    open.forEach(subscriber -> subscriber.close(status));
    return open.size();
  }

  int subscriberBuffer() {
    return subscriberBuffer;
  }

  // ---- Settings and scripts ------------------------------------------------------------------

  /** Whether new calls are served; false while the server is stopped or stopping. */
  public void setAccepting(boolean accepting) {
    withLock(() -> this.accepting = accepting);
  }

  public void setReplay(boolean replay) {
    withLock(() -> this.replay = replay);
  }

  public void setToken(String token) {
    this.token = token;
  }

  String token() {
    return token;
  }

  public void setClockSkew(Duration skew) {
    withLock(() -> this.clockSkew = skew);
  }

  public void failNextSyncs(int count, Status status) {
    withLock(() -> {
      syncFailuresLeft = count;
      syncFailure = status;
    });
  }

  public void stallNextSyncs(int count) {
    withLock(() -> syncStallsLeft = count);
  }

  public void delaySyncs(Duration delay) {
    withLock(() -> syncDelay = delay);
  }

  public void failNextStreams(int count, Status status) {
    withLock(() -> {
      streamFailuresLeft = count;
      streamFailure = status;
    });
  }

  // ---- Recording -----------------------------------------------------------------------------

  void recordAuthFailure(String method) {
    withLock(() -> authFailures++);
    logger.atDebug().addKeyValue("method", method).log("call rejected: missing or wrong token");
  }

  public long authFailures() {
    return fromLock(() -> authFailures);
  }

  public long droppedEvents() {
    return fromLock(() -> droppedEvents);
  }

  public int openStreamCount() {
    return fromLock(subscribers::size);
  }

  public long totalStreamsOpened() {
    return fromLock(() -> totalStreamsOpened);
  }

  public long syncRequestCount() {
    return fromLock(syncRequests::total);
  }

  public List<RecordedSyncRequest> syncRequests() {
    return fromLock(syncRequests::retained);
  }

  public List<RecordedStreamOpen> streamOpens() {
    return fromLock(streamOpens::retained);
  }

  /** The oldest sync call not taken yet, waiting up to {@code timeout} for one to arrive. */
  public RecordedSyncRequest takeSyncRequest(Duration timeout) {
    return fromLock(() -> {
      awaitLocked(syncRequests::hasUntaken, timeout, () -> "no new SyncProjectState call arrived"
          + " within " + timeout + " (" + syncRequests.total() + " arrived in all, "
          + syncRequests.taken() + " already taken)");
      return syncRequests.take();
    });
  }

  /** The oldest stream open not taken yet, waiting up to {@code timeout} for one to arrive. */
  public RecordedStreamOpen takeStreamOpen(Duration timeout) {
    return fromLock(() -> {
      awaitLocked(streamOpens::hasUntaken, timeout, () -> "no new ProjectEvents call arrived"
          + " within " + timeout + " (" + streamOpens.total() + " arrived in all, "
          + streamOpens.taken() + " already taken)");
      return streamOpens.take();
    });
  }

  /** Waits until exactly {@code count} streams are open. */
  public void awaitOpenStreams(int count, Duration timeout) {
    withLock(() -> awaitLocked(() -> subscribers.size() == count, timeout,
        () -> "expected " + count + " open ProjectEvents stream(s) within " + timeout + ", but "
            + subscribers.size() + " are open (" + totalStreamsOpened + " accepted in all)"));
  }

  /** Waits until at least {@code count} streams were accepted since the server was made. */
  public void awaitTotalStreamsOpened(long count, Duration timeout) {
    withLock(() -> awaitLocked(() -> totalStreamsOpened >= count, timeout,
        () -> "expected at least " + count + " ProjectEvents stream(s) accepted in all within "
            + timeout + ", but only " + totalStreamsOpened + " were ("
            + subscribers.size() + " open now)"));
  }

  private void awaitLocked(BooleanSupplier done, Duration timeout, Supplier<String> failure) {
    long remaining = saturatedNanos(timeout);
    while (!done.getAsBoolean()) {
      if (remaining <= 0) {
        throw new AssertionError(failure.get());
      }
      try {
        remaining = changed.awaitNanos(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting: " + failure.get(), e);
      }
    }
  }

  private static long saturatedNanos(Duration timeout) {
    try {
      return Math.max(0, timeout.toNanos());
    } catch (ArithmeticException e) {
      return TimeUnit.DAYS.toNanos(365);
    }
  }

  private static Status stopping() {
    return Status.UNAVAILABLE.withDescription("the fake engram server is stopped");
  }

  private void withLock(Runnable action) {
    lock.lock();
    try {
      action.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private <T> T fromLock(Supplier<T> action) {
    lock.lock();
    try {
      T result = action.get();
      changed.signalAll();
      return result;
    } finally {
      lock.unlock();
    }
  }
}
