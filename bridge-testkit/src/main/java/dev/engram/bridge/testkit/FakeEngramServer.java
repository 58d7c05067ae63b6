package dev.engram.bridge.testkit;

import com.google.common.primitives.Ints;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.testkit.internal.GrpcServerHost;
import dev.engram.bridge.testkit.internal.ServerState;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake engram server for tests: serves {@code engram.v1.EngramService} in-process or on
 * 127.0.0.1, follows the real server's rules, and can be scripted and inspected.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * try (FakeEngramServer server = FakeEngramServer.inProcess().start()) {
 *   server.addProjects("p1", "p2");
 *   // point the bridge at server.url(), then:
 *   server.awaitOpenStreams(1, Duration.ofSeconds(5));
 *   server.removeProject("p1", "deleted by owner");
 *   RecordedSyncRequest sync = server.takeSyncRequest(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>In JUnit 5 tests, {@code FakeEngramServerExtension} starts one per test and closes it.
 *
 * <h2>The real server's rules</h2>
 *
 * <ul>
 *   <li>{@code SyncProjectState}: an empty {@code client_id}, or more ids than the cap (10 000
 *       by default), is {@code INVALID_ARGUMENT}. {@code removed} lists every reported id that
 *       is not a live project (never added, or removed); reported live ids have their heartbeat
 *       time refreshed; {@code unknown} lists live projects not reported for longer than a
 *       threshold (24 h by default); {@code server_time_unix_ms} is the server's clock plus any
 *       skew.
 *   <li>{@code ProjectEvents}: an empty {@code client_id} is {@code INVALID_ARGUMENT}; a
 *       non-empty {@code since_event_id} is {@code OUT_OF_RANGE} unless replay is on and every
 *       event after that id is still in the history. Event ids are decimal and increase: "1",
 *       "2", ... Each stream has a bounded buffer (64 by default), drained only while the call
 *       is ready (gRPC flow control: in-process, as fast as the client asks; over a socket, as
 *       fast as the transport's window allows); events beyond it are dropped and counted.
 *       Replayed events come first and do not count against the buffer.
 *   <li>With a token set, every call must carry {@code authorization: Bearer <token>}, else
 *       {@code UNAUTHENTICATED}; such calls are counted, not recorded.
 * </ul>
 *
 * <h2>Lifecycle and threads</h2>
 *
 * A new server is not started. {@link #start()} starts it; {@link #stop()} ends open streams with
 * {@code UNAVAILABLE}, stops serving and releases the port and every thread, while keeping
 * projects, event ids, history and records; {@code start()} again serves on the same port (a
 * restart). {@link #close()} stops for good and is idempotent. Every thread the server uses has
 * a name starting with {@link #THREAD_NAME_PREFIX}, and none outlives {@code stop()}.
 *
 * <p>All methods are thread-safe. Scripting works whether or not the server is running.
 */
public final class FakeEngramServer implements AutoCloseable {
  /** The real server's limit on ids per {@code SyncProjectState} call. */
  public static final int DEFAULT_MAX_IDS_PER_SYNC = 10_000;
  /** Events buffered per stream before more are dropped. */
  public static final int DEFAULT_SUBSCRIBER_BUFFER = 64;
  /** How long a live project may go unreported before a sync lists it as unknown. */
  public static final Duration DEFAULT_UNKNOWN_AFTER = Duration.ofHours(24);
  /** How many recent events are kept for replay. */
  public static final int DEFAULT_HISTORY_SIZE = 1_000;
  /** How many records of each kind (sync calls, stream opens) are kept; older ones are dropped. */
  public static final int RECORDS_KEPT = ServerState.RECORDS_KEPT;
  /** Every server's name, and the name of every thread it starts, begins with this. */
  public static final String THREAD_NAME_PREFIX = "fake-engram-";

  private static final Logger logger = LoggerFactory.getLogger(FakeEngramServer.class);
  private static final AtomicInteger SERVERS = new AtomicInteger();
  private static final Status STOPPED =
      Status.UNAVAILABLE.withDescription("the fake engram server stopped");

  private final String name;
  private final boolean loopback;
  private final KeyManagerFactory tls;
  private final ServerState state;
  private final Object lifecycle = new Object();
  /** The running gRPC server, or null while stopped. Guarded by {@code lifecycle}. */
  private GrpcServerHost host;
  /** The port asked for, then the port bound, so that a restart binds the same one. */
  private volatile int port;
  private volatile boolean everStarted;
  private volatile boolean running;
  private boolean closed;

  private FakeEngramServer(Builder builder) {
    this.name = THREAD_NAME_PREFIX + SERVERS.incrementAndGet() + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000);
    this.loopback = builder.loopback != null && builder.loopback;
    this.port = builder.port;
    this.tls = builder.tls;
    this.state = new ServerState(
        builder.clock == null ? Clock.systemUTC() : builder.clock,
        builder.clockSkew == null ? Duration.ZERO : builder.clockSkew,
        builder.maxIdsPerSync == null ? DEFAULT_MAX_IDS_PER_SYNC : builder.maxIdsPerSync,
        builder.subscriberBuffer == null ? DEFAULT_SUBSCRIBER_BUFFER : builder.subscriberBuffer,
        builder.unknownAfter == null ? DEFAULT_UNKNOWN_AFTER : builder.unknownAfter,
        builder.replay != null && builder.replay,
        builder.historySize == null ? DEFAULT_HISTORY_SIZE : builder.historySize,
        builder.token);
  }

  /** An in-process server with default settings, not started. */
  public static FakeEngramServer inProcess() {
    return builder().inProcess().build();
  }

  /** A server on 127.0.0.1 and a free port chosen at the first start, not started. */
  public static FakeEngramServer onLoopback() {
    return builder().onLoopback().build();
  }

  /** A server on 127.0.0.1:{@code port}, not started. */
  public static FakeEngramServer onLoopback(int port) {
    return builder().onLoopback(port).build();
  }

  /** A builder for a server with other settings; in-process unless told otherwise. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- Lifecycle -----------------------------------------------------------------------------

  /**
   * Starts serving, or serves again after {@link #stop()} on the same port. Does nothing if
   * already running.
   *
   * @return this server
   * @throws IllegalStateException if the server was closed
   * @throws UncheckedIOException if the port cannot be bound
   */
  public FakeEngramServer start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException(name + " was closed; build a new FakeEngramServer");
      }
      if (host != null) {
        return this;
      }
      state.setAccepting(true);
      try {
        host = loopback
            ? GrpcServerHost.startOnLoopback(name, port, tls, state)
            : GrpcServerHost.startInProcess(name, state);
      } catch (IOException e) {
        state.setAccepting(false);
        throw new UncheckedIOException(startFailure(), e);
      }
      if (loopback) {
        port = host.port();
      }
      everStarted = true;
      running = true;
    }
    logger.atInfo().addKeyValue("server", name).addKeyValue("url", url())
        .log("fake engram server started");
    return this;
  }

  /**
   * Stops serving: ends every open stream with {@code UNAVAILABLE}, fails stalled and delayed
   * syncs with {@code UNAVAILABLE}, releases the port and ends every thread of the server.
   * Projects, event ids, history, scripts and records are kept for a later {@link #start()}.
   * Does nothing if not running.
   *
   * @throws IllegalStateException if some server thread did not end within a few seconds
   */
  public void stop() {
    synchronized (lifecycle) {
      if (host == null) {
        return;
      }
      running = false;
      state.setAccepting(false);
      state.endStreams(STOPPED);
      state.failHeldSyncs(STOPPED);
      GrpcServerHost stopping = host;
      host = null;
      stopping.stop();
    }
    logger.atInfo().addKeyValue("server", name).log("fake engram server stopped");
  }

  /** Stops the server for good. Idempotent; a closed server cannot start again. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      stop();
    }
  }

  /** Whether the server is serving now. */
  public boolean isRunning() {
    return running;
  }

  /**
   * The URL a client connects to: {@code inprocess://<name>} in-process (the transport maps it
   * to an in-process channel with that name), {@code http://127.0.0.1:<port>} on loopback, or
   * {@code https://...} with TLS.
   *
   * @throws IllegalStateException for a loopback server on an ephemeral port that never started
   */
  public String url() {
    if (!loopback) {
      return "inprocess://" + name;
    }
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port();
  }

  /**
   * The port on 127.0.0.1 the server listens on (or will again after a restart).
   *
   * @throws IllegalStateException in-process, or on an ephemeral port before the first start
   */
  public int port() {
    if (!loopback) {
      throw new IllegalStateException(
          name + " is in-process and has no port; connect with url() or name()");
    }
    if (port == 0 && !everStarted) {
      throw new IllegalStateException(
          name + " picks its port when it starts; call start() before port() or url()");
    }
    return port;
  }

  /**
   * The server's unique name: the in-process channel name for an in-process server; for both
   * kinds, the start of the name of every thread the server uses. Lower-case letters, digits
   * and hyphens, so it is also a valid URL host.
   */
  public String name() {
    return name;
  }

  // ---- Projects and events -------------------------------------------------------------------

  /**
   * Makes projects live, with their heartbeat time set to now. A project already live keeps its
   * heartbeat time. No event is sent.
   */
  public void addProjects(String... projectIds) {
    addProjects(Arrays.asList(projectIds));
  }

  /** As {@link #addProjects(String...)}. */
  public void addProjects(Collection<String> projectIds) {
    projectIds.forEach(id -> Objects.requireNonNull(id, "project id"));
    state.addProjects(projectIds);
  }

  /** The live project ids, in the order they were added; an immutable snapshot. */
  public Set<String> liveProjects() {
    return state.liveProjects();
  }

  /**
   * Removes a project and announces it: sends a {@code PROJECT_EVENT_TYPE_REMOVED} event with the
   * next event id, the server's time and {@code reason} to every open stream. The event is sent
   * even if the project was not live.
   *
   * @param reason why, in words for people; may be empty
   * @return the event sent
   */
  public ProjectEvent removeProject(String projectId, String reason) {
    return state.removeProject(
        Objects.requireNonNull(projectId, "projectId"), Objects.requireNonNull(reason, "reason"));
  }

  /** Removes a project without an event, so that only a {@code SyncProjectState} finds out. */
  public void removeProjectWithoutEvent(String projectId) {
    state.removeProjectWithoutEvent(Objects.requireNonNull(projectId, "projectId"));
  }

  /**
   * Sends an event of any type number (known or not) with the next event id and the server's
   * time. Live projects do not change, even for a removal: use {@link #removeProject} for that.
   *
   * @return the event sent
   */
  public ProjectEvent emitEvent(int typeNumber, String projectId, String reason) {
    return state.emitEvent(
        typeNumber,
        Objects.requireNonNull(projectId, "projectId"),
        Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Sends {@code event} exactly as given: any id (including one already used, or one out of
   * order), any type number, an empty project id. It does not change the next generated id, and
   * it joins the history like any other event.
   */
  public void emitRaw(ProjectEvent event) {
    state.emitRaw(Objects.requireNonNull(event, "event"));
  }

  /**
   * Sends an event with exactly this id, type number and project id (no timestamp, no reason).
   *
   * @return the event sent
   */
  public ProjectEvent emitRaw(String eventId, int typeNumber, String projectId) {
    ProjectEvent event = ProjectEvent.newBuilder()
        .setEventId(Objects.requireNonNull(eventId, "eventId"))
        .setEventTypeValue(typeNumber)
        .setProjectId(Objects.requireNonNull(projectId, "projectId"))
        .build();
    emitRaw(event);
    return event;
  }

  // ---- Scripting -----------------------------------------------------------------------------

  /**
   * Ends every open stream: {@link Status#OK} completes them normally, any other status fails
   * them with it. Events the client had not yet asked for are discarded.
   *
   * @return how many streams were ended
   */
  public int endStreams(Status status) {
    return state.endStreams(Objects.requireNonNull(status, "status"));
  }

  /**
   * Fails the next {@code count} stream opens at once with {@code status}, replacing any earlier
   * such script. The attempts are recorded.
   */
  public void failNextStreams(int count, Status status) {
    state.failNextStreams(nonNegative(count, "count"), notOk(status));
  }

  /**
   * Fails the next {@code count} {@code SyncProjectState} calls with {@code status}, replacing
   * any earlier such script. The calls are recorded; no heartbeat time is refreshed.
   */
  public void failNextSyncs(int count, Status status) {
    state.failNextSyncs(nonNegative(count, "count"), notOk(status));
  }

  /**
   * Never answers the next {@code count} {@code SyncProjectState} calls, replacing any earlier
   * such script: the client's deadline ends them (or {@link #stop()}, with {@code
   * UNAVAILABLE}). Stalls take precedence over {@link #failNextSyncs}.
   */
  public void stallNextSyncs(int count) {
    state.stallNextSyncs(nonNegative(count, "count"));
  }

  /**
   * Delays every later {@code SyncProjectState} answer, success or failure, by {@code delay} of
   * real time; {@link Duration#ZERO} answers at once again. The answer is worked out when the
   * call arrives.
   */
  public void delaySyncs(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException(
          "delaySyncs(" + delay + "): the delay must not be negative; use Duration.ZERO for none");
    }
    state.delaySyncs(delay);
  }

  /** Turns resuming streams from {@code since_event_id} on or off. */
  public void setReplay(boolean enabled) {
    state.setReplay(enabled);
  }

  /**
   * Requires {@code authorization: Bearer <token>} on every later call; null accepts any caller.
   * Streams already open are not affected.
   */
  public void setToken(String token) {
    state.setToken(checkToken(token));
  }

  /** Sets how far the server's clock is ahead of (or, if negative, behind) the given clock. */
  public void setClockSkew(Duration skew) {
    state.setClockSkew(Objects.requireNonNull(skew, "skew"));
  }

  // ---- Recording -----------------------------------------------------------------------------

  /**
   * The {@code SyncProjectState} calls received (the latest {@link #RECORDS_KEPT}), oldest
   * first. Not affected by {@link #takeSyncRequest}.
   */
  public List<RecordedSyncRequest> syncRequests() {
    return state.syncRequests();
  }

  /** How many {@code SyncProjectState} calls passed the token check since the server was made. */
  public int syncRequestCount() {
    return Ints.saturatedCast(state.syncRequestCount());
  }

  /**
   * The oldest {@code SyncProjectState} call not taken yet, waiting up to {@code timeout} for
   * one to arrive.
   *
   * @throws AssertionError if none arrives in time
   */
  public RecordedSyncRequest takeSyncRequest(Duration timeout) {
    return state.takeSyncRequest(Objects.requireNonNull(timeout, "timeout"));
  }

  /**
   * The {@code ProjectEvents} calls received (the latest {@link #RECORDS_KEPT}), accepted or
   * not, oldest first. Not affected by {@link #takeStreamOpen}.
   */
  public List<RecordedStreamOpen> streamOpens() {
    return state.streamOpens();
  }

  /**
   * The oldest {@code ProjectEvents} call not taken yet, waiting up to {@code timeout} for one
   * to arrive.
   *
   * @throws AssertionError if none arrives in time
   */
  public RecordedStreamOpen takeStreamOpen(Duration timeout) {
    return state.takeStreamOpen(Objects.requireNonNull(timeout, "timeout"));
  }

  /** How many streams are open now. */
  public int openStreamCount() {
    return state.openStreamCount();
  }

  /** How many streams the server accepted since it was made (across restarts). */
  public int totalStreamsOpened() {
    return Ints.saturatedCast(state.totalStreamsOpened());
  }

  /**
   * Waits until exactly {@code count} streams are open (0 to wait for clients to go away).
   *
   * @throws AssertionError if that does not happen within {@code timeout}
   */
  public void awaitOpenStreams(int count, Duration timeout) {
    state.awaitOpenStreams(nonNegative(count, "count"), Objects.requireNonNull(timeout));
  }

  /**
   * Waits until the server has accepted at least {@code count} streams since it was made; for
   * example {@code totalStreamsOpened() + 1} to wait for a reconnect.
   *
   * @throws AssertionError if that does not happen within {@code timeout}
   */
  public void awaitTotalStreamsOpened(int count, Duration timeout) {
    state.awaitTotalStreamsOpened(nonNegative(count, "count"), Objects.requireNonNull(timeout));
  }

  /** How many events were dropped, over all streams, because a stream's buffer was full. */
  public long droppedEvents() {
    return state.droppedEvents();
  }

  /** How many calls were rejected with {@code UNAUTHENTICATED} for a missing or wrong token. */
  public int authFailures() {
    return Ints.saturatedCast(state.authFailures());
  }

  /** The server's name, kind and state; never its token. */
  @Override
  public String toString() {
    return "FakeEngramServer{" + name + (loopback ? ", loopback" : ", in-process")
        + (tls == null ? "" : ", tls") + (running ? ", running" : ", stopped") + "}";
  }

  private String startFailure() {
    return loopback
        ? "could not listen on 127.0.0.1:" + port + "; free the port or let the server pick one "
            + "(FakeEngramServer.onLoopback() without a port)"
        : "could not register the in-process server " + name;
  }

  private static int nonNegative(int count, String what) {
    if (count < 0) {
      throw new IllegalArgumentException(what + " is " + count + "; expected 0 or more");
    }
    return count;
  }

  private static Status notOk(Status status) {
    Objects.requireNonNull(status, "status");
    if (status.isOk()) {
      throw new IllegalArgumentException(
          "status is OK; a scripted failure needs an error status such as Status.UNAVAILABLE");
    }
    return status;
  }

  private static String checkToken(String token) {
    if (token != null && token.isBlank()) {
      throw new IllegalArgumentException(
          "token is blank; expected a non-blank token, or null for a server that accepts any "
              + "caller");
    }
    return token;
  }

  /**
   * Settings for a {@link FakeEngramServer}. Each option may be set once; every option has the
   * real server's default. {@link #build()} may be called more than once, for independent
   * servers.
   */
  public static final class Builder {
    private Boolean loopback;
    private int port;
    private String token;
    private Integer maxIdsPerSync;
    private Integer subscriberBuffer;
    private Duration unknownAfter;
    private Clock clock;
    private Duration clockSkew;
    private Boolean replay;
    private Integer historySize;
    private KeyManagerFactory tls;

    private Builder() {}

    /** Serve in-process (the default). */
    public Builder inProcess() {
      once(loopback, "the transport (inProcess/onLoopback)");
      loopback = false;
      return this;
    }

    /** Serve on 127.0.0.1, on a free port picked at the first start. */
    public Builder onLoopback() {
      return onLoopback(0);
    }

    /** Serve on 127.0.0.1:{@code port}; 0 picks a free port at the first start. */
    public Builder onLoopback(int port) {
      once(loopback, "the transport (inProcess/onLoopback)");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            "port is " + port + "; expected 0 (any free port) to 65535");
      }
      this.loopback = true;
      this.port = port;
      return this;
    }

    /** Require {@code authorization: Bearer <token>} on every call. */
    public Builder token(String token) {
      once(this.token, "token");
      this.token = checkToken(Objects.requireNonNull(token, "token"));
      return this;
    }

    /** The most ids one {@code SyncProjectState} call may carry (default 10 000). */
    public Builder maxIdsPerSync(int max) {
      once(maxIdsPerSync, "maxIdsPerSync");
      this.maxIdsPerSync = positive(max, "maxIdsPerSync");
      return this;
    }

    /** How many events each stream buffers before dropping (default 64). */
    public Builder subscriberBuffer(int events) {
      once(subscriberBuffer, "subscriberBuffer");
      this.subscriberBuffer = positive(events, "subscriberBuffer");
      return this;
    }

    /** How long a live project may go unreported before syncs list it as unknown (24 h). */
    public Builder unknownAfter(Duration threshold) {
      once(unknownAfter, "unknownAfter");
      Objects.requireNonNull(threshold, "unknownAfter");
      if (threshold.isNegative()) {
        throw new IllegalArgumentException(
            "unknownAfter is " + threshold + "; expected zero or a positive duration");
      }
      this.unknownAfter = threshold;
      return this;
    }

    /**
     * The server's clock (default the system clock), for heartbeat times, event timestamps and
     * {@code server_time_unix_ms}; for example {@code FakeClock.wallClock()}.
     */
    public Builder clock(Clock clock) {
      once(this.clock, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How far the server's clock is ahead of (negative: behind) {@link #clock(Clock)}. */
    public Builder clockSkew(Duration skew) {
      once(clockSkew, "clockSkew");
      this.clockSkew = Objects.requireNonNull(skew, "clockSkew");
      return this;
    }

    /** Whether streams may resume from {@code since_event_id} (default off, as the server). */
    public Builder replay(boolean enabled) {
      once(replay, "replay");
      this.replay = enabled;
      return this;
    }

    /** How many recent events are kept for replay (default 1 000). */
    public Builder historySize(int events) {
      once(historySize, "historySize");
      this.historySize = positive(events, "historySize");
      return this;
    }

    /**
     * Serve TLS with the key and certificate of {@code keyManagers}; the URL becomes {@code
     * https://127.0.0.1:<port>}. Loopback servers only.
     */
    public Builder tls(KeyManagerFactory keyManagers) {
      once(tls, "tls");
      this.tls = Objects.requireNonNull(keyManagers, "keyManagers");
      return this;
    }

    /**
     * A new server with these settings, not started.
     *
     * @throws IllegalStateException if TLS was asked for an in-process server
     */
    public FakeEngramServer build() {
      if (tls != null && !Boolean.TRUE.equals(loopback)) {
        throw new IllegalStateException(
            "tls(...) needs a loopback server; add onLoopback() to the builder, or drop tls(...) "
                + "for an in-process server");
      }
      return new FakeEngramServer(this);
    }

    private static void once(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(
            option + " was already set on this builder; set each option once");
      }
    }

    private static int positive(int value, String option) {
      if (value < 1) {
        throw new IllegalArgumentException(
            option + " is " + value + "; expected 1 or more");
      }
      return value;
    }
  }
}
