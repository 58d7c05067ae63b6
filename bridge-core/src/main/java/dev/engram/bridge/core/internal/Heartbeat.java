package dev.engram.bridge.core.internal;

import com.google.common.base.Ticker;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.core.BridgeConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles the trackers' ids with the server ({@code SyncProjectState}), so that a removal the
 * stream missed is still delivered. All state belongs to the serial context.
 *
 * <p>Runs at a random time up to {@code initialSyncDelayMax} after start, then every {@code
 * heartbeatInterval +- heartbeatJitter}; also up to {@code reconnectSyncDelayMax} after each
 * stream opens (unless that stream fails first), and at once when the server could not resume
 * the stream. Runs
 * never overlap: a trigger during a run makes one more run right after it. Each call has a
 * deadline enforced here as well as by the transport, so a hung call cannot stop later runs.
 *
 * <p>Ids go in sorted chunks of at most the chunk size; a chunk the server rejects as invalid is
 * retried in halves down to the floor, and the smaller size is kept. With no tracked ids one
 * empty call is still made: it confirms the server is reachable and gives its clock.
 */
final class Heartbeat {
  private static final Logger logger = LoggerFactory.getLogger(Heartbeat.class);
  private static final int UNKNOWN_IDS_LOGGED = 10;

  /** One run: every chunk of one reading of the trackers. */
  private static final class Tick {
    final String reason;
    final List<String> ids;
    final Set<String> idSet;
    final long startNanos;
    int offset;
    int chunk;
    boolean answered;
    int removed;
    final Set<String> unknown = new HashSet<>();
    long serverTimeMs;
    long answeredAtMs;
    CompletableFuture<SyncResult> call;

    Tick(String reason, TrackerUnion.Snapshot snapshot, long startNanos) {
      this.reason = reason;
      this.ids = snapshot.ids();
      this.idSet = snapshot.idSet();
      this.startNanos = startNanos;
    }
  }

  private final Transport transport;
  private final String clientId;
  private final BridgeConfig config;
  private final Random random;
  private final Ticker ticker;
  private final Clock wallClock;
  private final Executor context;
  private final Timers timers;
  private final BridgeStateHolder state;
  private final BridgeListener listener;
  private final RemovalIntake intake;
  private final TrackerUnion trackers;
  private final Deduplicator dedup;
  private final IdChunks chunks = new IdChunks();

  private Tick current;
  private boolean rerun;
  private boolean stopped;
  private Timers.Timer periodic = Timers.Timer.NONE;
  private long periodicDueNanos;
  private Timers.Timer soon = Timers.Timer.NONE;
  private Timers.Timer deadlineTimer = Timers.Timer.NONE;
  private int callId;
  private int chunkSize;
  private Set<String> lastUnknown = Set.of();
  private boolean skewOver;
  private String lastFailure;

  Heartbeat(LoopWiring wiring, BridgeConfig config, Deduplicator dedup) {
    this.transport = wiring.transport();
    this.clientId = wiring.clientId();
    this.config = config;
    this.random = wiring.random();
    this.ticker = wiring.ticker();
    this.wallClock = wiring.wallClock();
    this.context = wiring.context();
    this.timers = wiring.timers();
    this.state = wiring.state();
    this.listener = wiring.listener();
    this.intake = wiring.intake();
    this.trackers = wiring.trackers();
    this.dedup = dedup;
    this.chunkSize = config.syncChunkSize();
  }

  void start() {
    context.execute(() -> schedulePeriodic(upTo(config.initialSyncDelayMax())));
  }

  void stop() {
    context.execute(() -> {
      stopped = true;
      periodic.cancel();
      soon.cancel();
      deadlineTimer.cancel();
      if (current != null && current.call != null) {
        current.call.cancel(true);
      }
      current = null;
    });
  }

  /**
   * A stream was just opened: reconcile shortly, to catch what was missed while it was down.
   *
   * <p>Waiting for proof that the server accepted the stream would be too late: a quiet server
   * sends nothing, and the stable period is 10 s. A reconnect that fails before this sync runs
   * cancels it instead (see {@link #streamFailedBeforeAccepted()}), so a server that is down is
   * not called twice per attempt.
   */
  void afterStreamOpened() {
    if (stopped || soon.isPending()) {
      return;
    }
    Duration max = config.reconnectSyncDelayMax();
    if (periodic.isPending() && periodicDueNanos - ticker.read() <= max.toNanos()) {
      return;
    }
    soon = timers.schedule(upTo(max), () -> trigger("reconnect"));
  }

  /** The stream just opened failed before the server accepted it: its sync is not needed. */
  void streamFailedBeforeAccepted() {
    soon.cancel();
  }

  /** Reconcile now (the server could not resume the stream, so events may have been missed). */
  void syncNow() {
    soon.cancel();
    trigger("resume refused");
  }

  private void schedulePeriodic(Duration delay) {
    periodicDueNanos = ticker.read() + delay.toNanos();
    periodic = timers.schedule(delay, () -> {
      Duration jitter = config.heartbeatJitter();
      long spread = Math.round((2 * random.nextDouble() - 1) * jitter.toNanos());
      schedulePeriodic(config.heartbeatInterval().plusNanos(spread));
      trigger("periodic");
    });
  }

  private void trigger(String reason) {
    if (stopped) {
      return;
    }
    if (current != null) {
      rerun = true;
      return;
    }
    TrackerUnion.Snapshot snapshot = trackers.snapshot();
    if (snapshot.complete()) {
      dedup.prune(snapshot.idSet());
    }
    current = new Tick(reason, snapshot, ticker.read());
    logger.atDebug()
        .addKeyValue("reason", reason)
        .addKeyValue("local_ids", snapshot.ids().size())
        .log("reconciliation started");
    sendNext(current);
  }

  private void sendNext(Tick tick) {
    if (tick.answered && tick.offset >= tick.ids.size()) {
      succeeded(tick);
      return;
    }
    List<String> chunk = chunks.chunk(tick.ids, tick.offset, chunkSize);
    tick.chunk = chunk.size();
    int call = ++callId;
    Duration deadline = config.syncDeadline();
    CompletableFuture<SyncResult> future;
    try {
      future = transport.sync(SyncRequest.of(clientId, chunk), deadline);
      if (future == null) {
        throw new IllegalStateException("the transport returned no future");
      }
    } catch (RuntimeException e) {
      failed(tick, new TransportException(
          FailureKind.RETRYABLE, "CLIENT_ERROR", "the sync call threw " + e, e));
      return;
    }
    tick.call = future;
    deadlineTimer = timers.schedule(deadline, () -> answered(tick, call, null,
        new TransportException(FailureKind.RETRYABLE, "DEADLINE_EXCEEDED",
            "no answer within " + deadline.toMillis() + " ms")));
    future.whenComplete(
        (result, error) -> context.execute(() -> answered(tick, call, result, error)));
  }

  private void answered(Tick tick, int call, SyncResult result, Throwable error) {
    if (stopped || current != tick || call != callId) {
      return;
    }
    callId++;
    deadlineTimer.cancel();
    if (error != null) {
      tick.call.cancel(true);
      TransportException failure = asTransportException(error);
      int floor = config.syncChunkFloor();
      if (failure.kind() == FailureKind.INVALID_ARGUMENT && tick.chunk > floor) {
        int smaller = Math.max(floor, tick.chunk / 2);
        logger.atWarn()
            .addKeyValue("chunk_size", tick.chunk)
            .addKeyValue("new_chunk_size", smaller)
            .addKeyValue("message", failure.getMessage())
            .log("the server rejected a chunk of ids; retrying in smaller chunks");
        chunkSize = smaller;
        sendNext(tick);
        return;
      }
      failed(tick, failure);
      return;
    }

    tick.answered = true;
    tick.offset += tick.chunk;
    tick.answeredAtMs = wallClock.millis();
    if (result.serverTimeUnixMs() > 0) {
      tick.serverTimeMs = result.serverTimeUnixMs();
    }
    Instant serverTime = result.serverTimeUnixMs() > 0
        ? Instant.ofEpochMilli(result.serverTimeUnixMs()) : null;
    for (String id : result.removed()) {
      if (id != null && !id.isEmpty()) {
        tick.removed++;
        intake.accept(ProjectRemoval.fromHeartbeat(id, serverTime), tick.idSet.contains(id),
            () -> {});
      }
    }
    tick.unknown.addAll(result.unknown());
    sendNext(tick);
  }

  private void succeeded(Tick tick) {
    Duration took = Duration.ofNanos(ticker.read() - tick.startNanos);
    boolean skewKnown = tick.serverTimeMs > 0;
    Duration skew = skewKnown
        ? Duration.ofMillis(tick.serverTimeMs - tick.answeredAtMs) : Duration.ZERO;
    if (skewKnown) {
      checkSkew(skew);
    }
    Set<String> unknown = Set.copyOf(tick.unknown);
    if (!unknown.equals(lastUnknown)) {
      reportUnknown(unknown);
    }
    state.markFresh(wallClock.instant());
    if (lastFailure != null) {
      logger.atInfo().log("reconciliation works again");
      lastFailure = null;
    }
    logger.atDebug()
        .addKeyValue("reason", tick.reason)
        .addKeyValue("local_ids", tick.ids.size())
        .addKeyValue("removed", tick.removed)
        .addKeyValue("unknown", unknown.size())
        .addKeyValue("duration_ms", took.toMillis())
        .log("reconciliation done");
    listener.syncCompleted(tick.ids.size(), tick.removed, unknown.size(), took, skew);
    finish();
  }

  private void failed(Tick tick, TransportException failure) {
    String problem = failure.kind() + "/" + failure.status();
    (problem.equals(lastFailure) ? logger.atDebug() : logger.atWarn())
        .addKeyValue("status", failure.status())
        .addKeyValue("kind", failure.kind())
        .addKeyValue("local_ids", tick.ids.size())
        .addKeyValue("message", failure.getMessage())
        .log("reconciliation failed; the next one runs as scheduled");
    lastFailure = problem;
    listener.syncFailed(failure);
    finish();
  }

  private void finish() {
    current = null;
    if (rerun && !stopped) {
      rerun = false;
      trigger("coalesced");
    }
  }

  private void checkSkew(Duration skew) {
    boolean over = skew.abs().compareTo(config.clockSkewWarning()) > 0;
    if (over && !skewOver) {
      logger.atWarn()
          .addKeyValue("skew_ms", skew.toMillis())
          .addKeyValue("threshold_ms", config.clockSkewWarning().toMillis())
          .log("this host's clock differs from the server's");
    } else if (!over && skewOver) {
      logger.atInfo()
          .addKeyValue("skew_ms", skew.toMillis())
          .log("this host's clock is back in step with the server's");
    }
    skewOver = over;
  }

  private void reportUnknown(Set<String> unknown) {
    lastUnknown = unknown;
    if (unknown.isEmpty()) {
      logger.atInfo().log("the server knows every tracked project again");
    } else {
      logger.atWarn()
          .addKeyValue("unknown", unknown.size())
          .addKeyValue("sample", unknown.stream().sorted().limit(UNKNOWN_IDS_LOGGED)
              .collect(Collectors.joining(",")))
          .log("the server does not know some tracked projects; they are not treated as removed");
    }
    listener.unknownProjectsChanged(unknown);
  }

  private Duration upTo(Duration max) {
    return Duration.ofNanos((long) (random.nextDouble() * max.toNanos()));
  }

  private static TransportException asTransportException(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TransportException) {
      return (TransportException) cause;
    }
    if (cause instanceof CancellationException) {
      return new TransportException(FailureKind.RETRYABLE, "CANCELLED", "the call was cancelled");
    }
    return new TransportException(
        FailureKind.RETRYABLE, "CLIENT_ERROR", "the sync call failed: " + cause, cause);
  }
}
