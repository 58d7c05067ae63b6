package dev.engram.bridge.core;

import com.google.common.base.Ticker;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.ProjectTracker;
import dev.engram.bridge.api.ProviderLoader;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportProvider;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.core.internal.DiscoveredServices;
import dev.engram.bridge.core.internal.Engine;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Keeps a daemon in step with an engram server: every project removal the server announces, on
 * its event stream or found by periodic reconciliation, reaches every registered {@link
 * ProjectRemovalAware} once.
 *
 * <pre>{@code
 * try (EngramBridge bridge = EngramBridge.builder()
 *     .config(BridgeConfig.fromEnvironment())
 *     .addHandler(removal -> cache.drop(removal.projectId()))
 *     .addTracker(() -> Set.copyOf(cache.projectIds()))
 *     .build()) {
 *   bridge.start();
 *   ...
 * }
 * }</pre>
 *
 * <h2>Handler order</h2>
 *
 * Handlers registered explicitly come first, in registration order (for Guice, the multibinding's
 * order); then those discovered through {@code ServiceLoader}, by priority (highest first) and
 * class name. Each handler has its own serial queue.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #start()} and {@link #close()} are idempotent and thread-safe. Without a server URL or a
 * transport, {@code start()} logs one warning and the bridge stays {@link BridgeState#DISABLED}.
 * {@code close()} returns within the configured grace period (5 s by default) even when a
 * handler is blocked: queued removals get part of the period to finish, then running handlers
 * are interrupted, then abandoned with a log line. It shuts down only the threads the bridge
 * created, and closes the transport. A closed bridge cannot be started again.
 */
public final class EngramBridge implements AutoCloseable {
  private final Engine engine;

  private EngramBridge(Engine engine) {
    this.engine = engine;
  }

  /**
   * Guice's way in; see {@link EngramBridgeModule}. The builder reaches the same engine with the
   * same arguments.
   */
  @Inject
  EngramBridge(
      BridgeConfig config,
      BackoffPolicy backoff,
      Optional<Transport> transport,
      Set<ProjectRemovalAware> handlers,
      Set<ProjectTracker> trackers,
      Set<BridgeListener> listeners,
      BridgeListener listener,
      DiscoveredServices discovered,
      @ForEngramBridge Ticker ticker,
      @ForEngramBridge Clock wallClock,
      @ForEngramBridge Optional<ScheduledExecutorService> scheduler,
      @ForEngramBridge Optional<Executor> handlerExecutor,
      @ForEngramBridge Optional<Random> random) {
    this(assemble(config, backoff, transport.orElse(null),
        DiscoveredServices.inOrder(handlers, discovered.handlers()),
        DiscoveredServices.inOrder(trackers, discovered.trackers()),
        withListener(DiscoveredServices.inOrder(listeners, discovered.listeners()), listener),
        ticker, wallClock, scheduler.orElse(null), handlerExecutor.orElse(null),
        random.orElseGet(Random::new)));
  }

  /** A builder; see {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the event stream and the reconciliation timer. Returns at once; connecting happens in
   * the background. Does nothing if already started.
   *
   * @throws IllegalStateException if the bridge was closed
   */
  public void start() {
    engine.start();
  }

  /** Stops the bridge; see the class documentation. Idempotent. */
  @Override
  public void close() {
    engine.close();
  }

  /** Where the bridge is in its lifecycle. */
  public BridgeState state() {
    return engine.state();
  }

  /**
   * The last moment the bridge knew it was in step with the server: when a stream was accepted
   * or a reconciliation succeeded. Empty until one of those happened.
   */
  public Optional<Instant> lastConfirmedFresh() {
    return engine.lastConfirmedFresh();
  }

  /** This client's id as sent to the server: {@code <pid>-<creation epoch seconds>}. */
  public String clientId() {
    return engine.clientId();
  }

  /** The handlers in the order they are called. For tests of the assembly. */
  List<ProjectRemovalAware> handlers() {
    return engine.handlers();
  }

  List<ProjectTracker> trackers() {
    return engine.trackers();
  }

  BridgeConfig config() {
    return engine.config();
  }

  BackoffPolicy backoff() {
    return engine.backoff();
  }

  Optional<Transport> transport() {
    return engine.transport();
  }

  @Override
  public String toString() {
    return "EngramBridge{clientId=" + clientId() + ", state=" + state() + ", server="
        + engine.config().serverUrl().map(Object::toString).orElse("none") + "}";
  }

  private static List<BridgeListener> withListener(
      List<BridgeListener> listeners, BridgeListener listener) {
    if (listener == BridgeListener.NONE || listeners.contains(listener)) {
      return listeners;
    }
    List<BridgeListener> all = new ArrayList<>(listeners);
    all.add(0, listener);
    return all;
  }

  private static Engine assemble(
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
    Transport resolved = transport != null ? transport : createTransport(config);
    return new Engine(config, backoff, resolved, handlers, trackers, listeners, ticker,
        wallClock, scheduler, handlerExecutor, random);
  }

  /** The transport for the configured URL, from the first provider that takes its scheme. */
  private static Transport createTransport(BridgeConfig config) {
    if (config.serverUrl().isEmpty()) {
      return null;
    }
    ServerUrl url = config.serverUrl().get();
    TransportProvider provider = ProviderLoader.loadFirst(
        TransportProvider.class,
        p -> p.schemes().contains(url.scheme()),
        "the URL scheme " + url.scheme() + " of the server URL " + url
            + " (supported here: " + supportedSchemes() + ")",
        "dev.engram.bridge:bridge-grpc");
    TransportSettings.Builder settings = TransportSettings.builder(url);
    config.token().ifPresent(settings::token);
    config.trustedCertificates().ifPresent(settings::trustedCertificates);
    config.keepAliveTime().ifPresent(settings::keepAliveTime);
    return provider.create(settings.build());
  }

  private static String supportedSchemes() {
    java.util.SortedSet<String> schemes = new java.util.TreeSet<>();
    ProviderLoader.loadAll(TransportProvider.class).forEach(p -> schemes.addAll(p.schemes()));
    return schemes.isEmpty() ? "none" : String.join(", ", schemes);
  }

  /**
   * Assembles an {@link EngramBridge}. Single-valued options may be set once; {@code add...}
   * may be called any number of times.
   */
  public static final class Builder {
    private final Set<String> given = new HashSet<>();
    private final List<ProjectRemovalAware> handlers = new ArrayList<>();
    private final List<ProjectTracker> trackers = new ArrayList<>();
    private final List<BridgeListener> listeners = new ArrayList<>();
    private BridgeConfig config;
    private Transport transport;
    private Ticker ticker = Ticker.systemTicker();
    private Clock wallClock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private Executor handlerExecutor;
    private Random random;
    private boolean discoverServices = true;

    private Builder() {}

    /** The settings. Default: {@link BridgeConfig#fromEnvironment()}. */
    public Builder config(BridgeConfig config) {
      once("config");
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * The transport to use instead of looking one up for the configured URL. The bridge closes
     * it on {@link EngramBridge#close()}.
     */
    public Builder transport(Transport transport) {
      once("transport");
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Adds a handler, called after those added before it. */
    public Builder addHandler(ProjectRemovalAware handler) {
      handlers.add(Objects.requireNonNull(handler, "handler"));
      return this;
    }

    public Builder addTracker(ProjectTracker tracker) {
      trackers.add(Objects.requireNonNull(tracker, "tracker"));
      return this;
    }

    public Builder addListener(BridgeListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** The monotonic time source for durations and timeouts. Default: the system ticker. */
    public Builder ticker(Ticker ticker) {
      once("ticker");
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The wall clock, for the client id, freshness and clock skew. Default: system UTC. */
    public Builder wallClock(Clock wallClock) {
      once("wallClock");
      this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
      return this;
    }

    /**
     * The scheduler for every timer of the bridge. The bridge does not shut it down. Default: a
     * single daemon thread owned by the bridge.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where handlers run. Each handler still runs serially, but a handler blocked on this
     * executor's threads holds them: give it at least one thread per handler. An executor that
     * runs tasks on the calling thread runs handlers on the transport's and the bridge's own
     * threads, where a slow handler stalls the stream: for tests only. The bridge does not shut
     * it down. Default: daemon threads named {@code engram-bridge-handler-N}, owned by the
     * bridge.
     */
    public Builder handlerExecutor(Executor executor) {
      once("handlerExecutor");
      this.handlerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The source of backoff and heartbeat jitter. Default: a new {@link Random}. */
    public Builder random(Random random) {
      once("random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Whether to add the handlers, trackers and listeners listed in {@code META-INF/services}
     * files, after the explicit ones. Default true.
     */
    public Builder discoverServices(boolean discover) {
      once("discoverServices");
      this.discoverServices = discover;
      return this;
    }

    /**
     * Builds the bridge; nothing runs until {@link EngramBridge#start()}.
     *
     * @throws IllegalStateException if a server URL is configured, no transport was given, and
     *     no transport provider on the classpath supports its scheme
     */
    public EngramBridge build() {
      BridgeConfig settings = config != null ? config : BridgeConfig.fromEnvironment();
      DiscoveredServices discovered =
          discoverServices ? DiscoveredServices.load() : DiscoveredServices.none();
      return new EngramBridge(assemble(
          settings,
          settings.backoff(),
          transport,
          DiscoveredServices.inOrder(handlers, discovered.handlers()),
          DiscoveredServices.inOrder(trackers, discovered.trackers()),
          DiscoveredServices.inOrder(listeners, discovered.listeners()),
          ticker,
          wallClock,
          scheduler,
          handlerExecutor,
          random != null ? random : new Random()));
    }

    private void once(String option) {
      if (!given.add(option)) {
        throw new IllegalStateException(
            "EngramBridge.Builder option " + option + " was already set on this builder");
      }
    }
  }
}
