package dev.engram.bridge.core.internal;

import com.google.common.base.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.ProjectTracker;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.core.BridgeConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs the parts of one bridge: stream loop, heartbeat, deduplicator, fan-out.
 * Not part of the public API; {@code EngramBridge} is its face.
 *
 * <p>Nothing runs and no thread exists until {@link #start()}. The scheduler and handler pool
 * are created then, unless the caller supplied its own; {@link #close()} shuts down only those
 * it created, and closes the transport.
 */
public final class Engine {
  private static final Logger logger = LoggerFactory.getLogger(Engine.class);

  private final BridgeConfig config;
  private final BackoffPolicy backoff;
  private final Transport transport;
  private final List<ProjectRemovalAware> handlers;
  private final List<ProjectTracker> trackers;
  private final Ticker ticker;
  private final Clock wallClock;
  private final ScheduledExecutorService givenScheduler;
  private final Executor givenHandlerExecutor;
  private final Random random;
  private final String clientId;
  private final BridgeListener listener;
  private final BridgeStateHolder state;
  private final SerialContext context = new SerialContext();

  private boolean closed;
  private ScheduledExecutorService ownedScheduler;
  private ExecutorService ownedHandlerPool;
  private Timers timers;
  private Deduplicator dedup;
  private FanOut fanOut;
  private Heartbeat heartbeat;
  private StreamLoop streamLoop;

  /**
   * @param transport the transport, or null when no server is configured (the bridge is then
   *     disabled)
   * @param scheduler the scheduler to use, or null for one owned by the bridge
   * @param handlerExecutor where handlers run, or null for a pool owned by the bridge
   */
  public Engine(
      BridgeConfig config,
      BackoffPolicy backoff,
      Transport transport,
      List<ProjectRemovalAware> handlers,
      List<ProjectTracker> trackers,
      List<BridgeListener> listeners,
      Ticker ticker,
      Clock wallClock,
      ScheduledExecutorService scheduler,
      Executor handlerExecutor,
      Random random) {
    this.config = config;
    this.backoff = backoff;
    this.transport = transport;
    this.handlers = List.copyOf(handlers);
    this.trackers = List.copyOf(trackers);
    this.ticker = ticker;
    this.wallClock = wallClock;
    this.givenScheduler = scheduler;
    this.givenHandlerExecutor = handlerExecutor;
    this.random = random;
    this.clientId = ClientId.create(wallClock);
    this.listener = new ListenerChain(listeners);
    this.state = new BridgeStateHolder(listener);
  }

  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("this bridge was closed; build a new one to start again");
    }
    if (state.get() != BridgeState.NEW) {
      return;
    }
    if (transport == null) {
      logger.atWarn()
          .addKeyValue("setting", BridgeConfig.ENV_URL)
          .log("no engram server configured; the bridge stays disabled. Set ENGRAM_URL or "
              + "BridgeConfig serverUrl to enable it");
      state.moveTo(BridgeState.DISABLED);
      return;
    }

    ScheduledExecutorService scheduler = givenScheduler != null ? givenScheduler : ownScheduler();
    Executor handlerExecutor =
        givenHandlerExecutor != null ? givenHandlerExecutor : ownHandlerPool();
    timers = new Timers(scheduler, context);
    dedup = new Deduplicator(
        handlers.size(), config.maxHandlerAttempts(), config.dedupWindowSize());
    fanOut = new FanOut(handlers, config.handlerQueueCapacity(), handlerExecutor, dedup,
        listener, timers, ticker, config.slowHandlerThreshold(), context);
    RemovalIntake intake = new RemovalIntake(dedup, fanOut, listener);
    LoopWiring wiring = new LoopWiring(transport, clientId, random, ticker, wallClock, context,
        timers, state, listener, intake, new TrackerUnion(trackers));
    heartbeat = new Heartbeat(wiring, config, dedup);
    streamLoop = new StreamLoop(wiring, config.streamRequestWindow(),
        config.streamStablePeriod(), backoff, heartbeat);

    logger.atInfo()
        .addKeyValue("client_id", clientId)
        .addKeyValue("server", config.serverUrl().map(Object::toString).orElse("given transport"))
        .addKeyValue("handlers", handlers.size())
        .addKeyValue("trackers", trackers.size())
        .log("bridge started");
    heartbeat.start();
    streamLoop.start();
  }

  /**
   * Stops everything within the close grace period; see {@code EngramBridge#close()}. Idempotent;
   * a second caller waits for the first to finish.
   */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (streamLoop == null) {
      closeTransport();
      state.moveTo(BridgeState.STOPPED);
      logger.atInfo().addKeyValue("client_id", clientId).log("bridge closed");
      return;
    }

    long grace = config.closeGracePeriod().toNanos();
    streamLoop.stop();
    heartbeat.stop();
    timers.cancelAll();
    long left = fanOut.close(grace * 8 / 10);
    boolean interrupted = false;
    try {
      shutDown(ownedHandlerPool, left + grace / 20, "handler");
      shutDown(ownedScheduler, grace / 20, "scheduler");
    } catch (InterruptedException e) {
      interrupted = true;
    }
    closeTransport();
    state.moveTo(BridgeState.STOPPED);
    logger.atInfo().addKeyValue("client_id", clientId).log("bridge closed");
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  public BridgeState state() {
    return state.get();
  }

  public Optional<Instant> lastConfirmedFresh() {
    return state.lastConfirmedFresh();
  }

  public String clientId() {
    return clientId;
  }

  /** The handlers, in the order they are called. */
  public List<ProjectRemovalAware> handlers() {
    return handlers;
  }

  public List<ProjectTracker> trackers() {
    return trackers;
  }

  public BridgeConfig config() {
    return config;
  }

  public BackoffPolicy backoff() {
    return backoff;
  }

  public Optional<Transport> transport() {
    return Optional.ofNullable(transport);
  }

  private ScheduledExecutorService ownScheduler() {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
        new ThreadFactoryBuilder()
            .setNameFormat("engram-bridge-scheduler-%d")
            .setDaemon(true)
            .build());
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    ownedScheduler = scheduler;
    return scheduler;
  }

  private Executor ownHandlerPool() {
    // Unbounded on purpose: each handler queue runs at most one task at a time, so the pool
    // never holds more busy threads than there are handlers, and a blocked handler can never
    // starve another of a thread.
    ownedHandlerPool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        new ThreadFactoryBuilder()
            .setNameFormat("engram-bridge-handler-%d")
            .setDaemon(true)
            .build());
    return ownedHandlerPool;
  }

  private static void shutDown(ExecutorService pool, long nanos, String what)
      throws InterruptedException {
    if (pool == null) {
      return;
    }
    pool.shutdownNow();
    if (!pool.awaitTermination(Math.max(nanos, 1), TimeUnit.NANOSECONDS)) {
      logger.atWarn()
          .addKeyValue("pool", what)
          .log("bridge threads did not stop within the close grace period; abandoned");
    }
  }

  private void closeTransport() {
    if (transport == null) {
      return;
    }
    try {
      transport.close();
    } catch (RuntimeException e) {
      logger.atWarn().setCause(e).log("closing the transport threw; ignored");
    }
  }
}
