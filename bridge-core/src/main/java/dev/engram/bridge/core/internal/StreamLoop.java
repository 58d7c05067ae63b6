package dev.engram.bridge.core.internal;

import com.google.common.base.Ticker;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.core.BackoffPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one event stream open for the bridge's lifetime and turns its removal events into
 * {@link ProjectRemoval}s. All state belongs to the serial context.
 *
 * <p>Reconnects forever. The backoff resets only on evidence that the server accepted the
 * stream: a message, or the stream staying open for the stable period. A stream that ends
 * sooner having delivered nothing is a failed attempt, so a server that rejects every stream is
 * retried with a growing, jittered wait, not every second.
 *
 * <p>Logging: INFO when a stream is accepted; a WARN when a problem starts or changes (status,
 * kind), never one per retry; retry detail at DEBUG.
 */
final class StreamLoop {
  private static final Logger logger = LoggerFactory.getLogger(StreamLoop.class);

  /** Stands for a stream whose opening threw, so that {@link #ended} takes the failure. */
  private static final EventStream NO_STREAM = new EventStream() {
    @Override
    public void request(int count) {}

    @Override
    public void cancel() {}
  };

  private final Transport transport;
  private final String clientId;
  private final int requestWindow;
  private final Duration stablePeriod;
  private final BackoffPolicy backoff;
  private final Random random;
  private final Ticker ticker;
  private final Clock wallClock;
  private final Executor context;
  private final Timers timers;
  private final BridgeStateHolder state;
  private final BridgeListener listener;
  private final RemovalIntake intake;
  private final TrackerUnion trackers;
  private final Heartbeat heartbeat;

  private EventStream stream;
  private int generation;
  private boolean accepted;
  /** Whether the server ever refused to resume; later refusals are logged at DEBUG. */
  private boolean resumeRefusedBefore;
  private long openedAtNanos;
  private Timers.Timer stableTimer = Timers.Timer.NONE;
  private Timers.Timer reconnectTimer = Timers.Timer.NONE;
  private String resumeId = "";
  private int failures;
  private String lastProblem;
  private int parkedRemovals;
  /** Demand earned by removals the fan-out took, not yet returned to the stream. */
  private int owedDemand;
  private boolean demandReturnQueued;
  private boolean stopped;

  StreamLoop(
      LoopWiring wiring,
      int requestWindow,
      Duration stablePeriod,
      BackoffPolicy backoff,
      Heartbeat heartbeat) {
    this.transport = wiring.transport();
    this.clientId = wiring.clientId();
    this.requestWindow = requestWindow;
    this.stablePeriod = stablePeriod;
    this.backoff = backoff;
    this.random = wiring.random();
    this.ticker = wiring.ticker();
    this.wallClock = wiring.wallClock();
    this.context = wiring.context();
    this.timers = wiring.timers();
    this.state = wiring.state();
    this.listener = wiring.listener();
    this.intake = wiring.intake();
    this.trackers = wiring.trackers();
    this.heartbeat = heartbeat;
  }

  void start() {
    context.execute(this::open);
  }

  /** Cancels the stream and every timer of the loop. Idempotent. */
  void stop() {
    context.execute(() -> {
      stopped = true;
      reconnectTimer.cancel();
      stableTimer.cancel();
      if (stream != null) {
        EventStream open = stream;
        stream = null;
        open.cancel();
      }
    });
  }

  private void open() {
    if (stopped) {
      return;
    }
    int gen = ++generation;
    accepted = false;
    openedAtNanos = ticker.read();
    state.moveTo(BridgeState.CONNECTING);
    boolean resumed = !resumeId.isEmpty();
    logger.atDebug()
        .addKeyValue("resume_event_id", resumed ? resumeId : "none")
        .log("opening event stream");

    EventStream opened;
    try {
      opened = transport.openEventStream(clientId, resumeId, new Observer(gen));
    } catch (RuntimeException e) {
      stream = NO_STREAM;
      ended(gen, new TransportException(
          FailureKind.RETRYABLE, "CLIENT_ERROR", "opening the stream threw " + e, e));
      return;
    }
    stream = opened;
    // Demand earned on an earlier stream is part of parkedRemovals' account, not this one's.
    owedDemand = 0;
    listener.streamOpened(resumed);
    heartbeat.afterStreamOpened();
    // Removals still waiting for a full handler queue hold part of the window.
    int initial = requestWindow - parkedRemovals;
    if (initial > 0) {
      opened.request(initial);
    }
    stableTimer = timers.schedule(stablePeriod, () -> {
      if (gen == generation && stream != null && !accepted) {
        markAccepted("stable");
      }
    });
  }

  private void onEvent(int gen, ServerEvent event) {
    if (gen != generation || stream == null || stopped) {
      return;
    }
    listener.eventReceived(event);
    if (!accepted) {
      markAccepted("message");
    }
    if (!event.eventId().isEmpty()) {
      resumeId = event.eventId();
    }
    String ignored = whyIgnored(event);
    if (ignored != null) {
      logger.atDebug()
          .addKeyValue("event_id", event.eventId())
          .addKeyValue("type", event.type())
          .addKeyValue("type_number", event.typeNumber())
          .addKeyValue("project_id", event.projectId())
          .addKeyValue("why", ignored)
          .log("event ignored");
      listener.eventIgnored(event, ignored);
      oweDemand();
      return;
    }

    logger.atDebug()
        .addKeyValue("event_id", event.eventId())
        .addKeyValue("project_id", event.projectId())
        .log("removal event received");
    Instant when = event.timestampUnixMs() > 0
        ? Instant.ofEpochMilli(event.timestampUnixMs()) : null;
    ProjectRemoval removal = ProjectRemoval.fromStream(
        event.projectId(), event.eventId(), event.reason(), when);
    parkedRemovals++;
    intake.accept(removal, trackers.contains(event.projectId()), this::removalTaken);
  }

  /** The fan-out took a stream removal: its slot in the window goes back to the stream. */
  private void removalTaken() {
    parkedRemovals--;
    oweDemand();
  }

  /**
   * One event's slot in the window is free again. Slots go back to the stream together: when a
   * quarter of the window is owed, or else once the serial context has finished what it is
   * doing now (a run of events the transport handed over in one call, say). Each request is a
   * task for the transport's I/O thread, so one per run instead of one per event matters.
   */
  private void oweDemand() {
    owedDemand++;
    if (owedDemand >= Math.max(1, requestWindow / 4)) {
      returnDemand();
    } else if (!demandReturnQueued) {
      demandReturnQueued = true;
      context.execute(() -> {
        demandReturnQueued = false;
        returnDemand();
      });
    }
  }

  private void returnDemand() {
    int owed = owedDemand;
    owedDemand = 0;
    if (owed > 0 && stream != null && stream != NO_STREAM && !stopped) {
      stream.request(owed);
    }
  }

  private static String whyIgnored(ServerEvent event) {
    if (event.type() != ServerEvent.Type.REMOVED) {
      return event.type() == ServerEvent.Type.UNRECOGNIZED
          ? "unknown event type " + event.typeNumber()
          : "not a removal (" + event.type() + ")";
    }
    if (event.projectId().isEmpty()) {
      return "no project id";
    }
    return null;
  }

  private void markAccepted(String evidence) {
    accepted = true;
    stableTimer.cancel();
    failures = 0;
    lastProblem = null;
    state.moveTo(BridgeState.CONNECTED);
    state.markFresh(wallClock.instant());
    logger.atInfo()
        .addKeyValue("evidence", evidence)
        .addKeyValue("resumed", !resumeId.isEmpty())
        .log("event stream connected");
  }

  private void ended(int gen, TransportException failure) {
    if (gen != generation || stream == null || stopped) {
      return;
    }
    stream = null;
    stableTimer.cancel();
    listener.streamClosed(failure);
    boolean wasAccepted = accepted;
    if (!wasAccepted) {
      heartbeat.streamFailedBeforeAccepted();
    }
    Duration openFor = Duration.ofNanos(ticker.read() - openedAtNanos);
    FailureKind kind = failure == null ? FailureKind.RETRYABLE : failure.kind();

    if (kind == FailureKind.UNIMPLEMENTED) {
      state.moveTo(BridgeState.HEARTBEAT_ONLY);
      logger.atWarn()
          .addKeyValue("status", failure.status())
          .log("the server does not implement the event stream; relying on reconciliation only");
      return;
    }
    if (kind == FailureKind.RESUME_UNSUPPORTED && !resumeId.isEmpty()) {
      // A server without replay refuses every resume: say so once, not at every reconnect.
      (resumeRefusedBefore ? logger.atDebug() : logger.atWarn())
          .addKeyValue("resume_event_id", resumeId)
          .addKeyValue("status", failure.status())
          .log("the server cannot resume the stream; opening a fresh one and reconciling now");
      resumeId = "";
      resumeRefusedBefore = true;
      heartbeat.syncNow();
      transport.resetConnectBackoff();
      open();
      return;
    }

    Duration wait;
    if (kind == FailureKind.AUTHENTICATION) {
      failures++;
      wait = backoff.maxDelay();
      state.moveTo(BridgeState.AUTH_FAILED);
    } else {
      failures++;
      wait = backoff.delay(failures - 1, random);
      state.moveTo(BridgeState.BACKING_OFF);
    }
    report(failure, kind, wasAccepted, openFor, wait);
    transport.resetConnectBackoff();
    reconnectTimer = timers.schedule(wait, this::open);
  }

  private void report(
      TransportException failure,
      FailureKind kind,
      boolean wasAccepted,
      Duration openFor,
      Duration wait) {
    String status = failure == null ? "ENDED_BY_SERVER" : failure.status();
    String problem = kind + "/" + status;
    boolean changed = !problem.equals(lastProblem);
    lastProblem = problem;
    if (failure == null && wasAccepted) {
      logger.atInfo()
          .addKeyValue("backoff_ms", wait.toMillis())
          .log("event stream ended by the server; reconnecting");
      return;
    }
    (changed ? logger.atWarn() : logger.atDebug())
        .addKeyValue("status", status)
        .addKeyValue("kind", kind)
        .addKeyValue("open_ms", openFor.toMillis())
        .addKeyValue("attempt", failures)
        .addKeyValue("backoff_ms", wait.toMillis())
        .addKeyValue("message", failure == null ? "ended before it was accepted"
            : failure.getMessage())
        .log(kind == FailureKind.AUTHENTICATION
            ? "the server refused the credentials; retrying at the longest backoff"
            : "event stream failed; reconnecting after backoff");
  }

  private final class Observer implements EventStreamObserver {
    private final int gen;

    Observer(int gen) {
      this.gen = gen;
    }

    @Override
    public void onEvent(ServerEvent event) {
      context.execute(() -> StreamLoop.this.onEvent(gen, event));
    }

    @Override
    public void onEvents(List<ServerEvent> events) {
      context.execute(() -> {
        for (ServerEvent event : events) {
          StreamLoop.this.onEvent(gen, event);
        }
      });
    }

    @Override
    public void onCompleted() {
      context.execute(() -> ended(gen, null));
    }

    @Override
    public void onFailure(TransportException failure) {
      context.execute(() -> ended(gen, failure));
    }
  }
}
