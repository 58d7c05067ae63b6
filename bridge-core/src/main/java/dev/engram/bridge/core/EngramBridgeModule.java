package dev.engram.bridge.core;

import com.google.common.base.Ticker;
import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.ProjectTracker;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.core.internal.DiscoveredServices;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Binds an {@link EngramBridge} (singleton) for Guice applications. It builds the same objects
 * as {@link EngramBridge#builder()}, through the same constructor. The bridge is not started:
 * call {@link EngramBridge#start()} when the application is ready and {@link
 * EngramBridge#close()} on shutdown.
 *
 * <h2>Handlers, trackers, listeners</h2>
 *
 * Each lives in a {@link Multibinder}, where the ones listed in {@code META-INF/services} files
 * (unless {@link #withoutServiceDiscovery()}) and the ones you bind meet:
 *
 * <pre>{@code
 * EngramBridgeModule.handlers(binder()).addBinding().to(CacheEvictor.class);
 * EngramBridgeModule.trackers(binder()).addBinding().toInstance(sessionTracker);
 * }</pre>
 *
 * Bound handlers are called first, in binding order, then discovered ones.
 *
 * <h2>Overridable defaults ({@link OptionalBinder})</h2>
 *
 * <ul>
 *   <li>{@link BridgeConfig}: default {@link BridgeConfig#fromEnvironment()}.
 *   <li>{@link BackoffPolicy}: default the config's {@link BridgeConfig#backoff()}.
 *   <li>{@link BridgeListener}: default {@link BridgeListener#NONE}; the multibound listeners
 *       are called as well.
 *   <li>{@code @ForEngramBridge Ticker} and {@code @ForEngramBridge Clock}: default the system's.
 *   <li>{@code @ForEngramBridge ScheduledExecutorService}, {@code @ForEngramBridge Executor}
 *       (where handlers run) and {@code @ForEngramBridge Random}: no default; the bridge then
 *       creates (and on close shuts down) its own. One you bind is never shut down by it.
 *   <li>{@link Transport}: no default; the bridge then looks up a transport provider for the
 *       configured URL's scheme.
 * </ul>
 *
 * <pre>{@code
 * OptionalBinder.newOptionalBinder(binder(), BridgeConfig.class)
 *     .setBinding().toInstance(
 *         BridgeConfig.builder().serverUrl("https://engram.internal").build());
 * OptionalBinder.newOptionalBinder(binder(), Key.get(Clock.class, ForEngramBridge.class))
 *     .setBinding().toInstance(testClock);
 * }</pre>
 */
public final class EngramBridgeModule extends AbstractModule {
  private final boolean discoverServices;

  /** A module that also discovers handlers, trackers and listeners with ServiceLoader. */
  public EngramBridgeModule() {
    this(true);
  }

  private EngramBridgeModule(boolean discoverServices) {
    this.discoverServices = discoverServices;
  }

  /** A module that uses only what is bound explicitly. */
  public static EngramBridgeModule withoutServiceDiscovery() {
    return new EngramBridgeModule(false);
  }

  /** The multibinder of handlers, to add yours to. */
  public static Multibinder<ProjectRemovalAware> handlers(Binder binder) {
    return Multibinder.newSetBinder(binder, ProjectRemovalAware.class);
  }

  /** The multibinder of trackers, to add yours to. */
  public static Multibinder<ProjectTracker> trackers(Binder binder) {
    return Multibinder.newSetBinder(binder, ProjectTracker.class);
  }

  /** The multibinder of listeners, to add yours to. */
  public static Multibinder<BridgeListener> listeners(Binder binder) {
    return Multibinder.newSetBinder(binder, BridgeListener.class);
  }

  @Override
  protected void configure() {
    DiscoveredServices discovered =
        discoverServices ? DiscoveredServices.load() : DiscoveredServices.none();
    bind(DiscoveredServices.class).toInstance(discovered);
    Multibinder<ProjectRemovalAware> handlers = handlers(binder());
    discovered.handlers().forEach(h -> handlers.addBinding().toInstance(h));
    Multibinder<ProjectTracker> trackers = trackers(binder());
    discovered.trackers().forEach(t -> trackers.addBinding().toInstance(t));
    Multibinder<BridgeListener> listeners = listeners(binder());
    discovered.listeners().forEach(l -> listeners.addBinding().toInstance(l));

    OptionalBinder.newOptionalBinder(binder(), BridgeConfig.class)
        .setDefault().toProvider(EnvironmentConfig.class);
    OptionalBinder.newOptionalBinder(binder(), BackoffPolicy.class)
        .setDefault().toProvider(ConfiguredBackoff.class);
    OptionalBinder.newOptionalBinder(binder(), BridgeListener.class)
        .setDefault().toInstance(BridgeListener.NONE);
    OptionalBinder.newOptionalBinder(binder(), Key.get(Ticker.class, ForEngramBridge.class))
        .setDefault().toInstance(Ticker.systemTicker());
    OptionalBinder.newOptionalBinder(binder(), Key.get(Clock.class, ForEngramBridge.class))
        .setDefault().toInstance(Clock.systemUTC());
    OptionalBinder.newOptionalBinder(
        binder(), Key.get(ScheduledExecutorService.class, ForEngramBridge.class));
    OptionalBinder.newOptionalBinder(binder(), Key.get(Executor.class, ForEngramBridge.class));
    OptionalBinder.newOptionalBinder(binder(), Key.get(Random.class, ForEngramBridge.class));
    OptionalBinder.newOptionalBinder(binder(), Transport.class);

    bind(EngramBridge.class).in(Singleton.class);
  }

  @Override
  public boolean equals(Object o) {
    // Installing the module twice (say, from two libraries) must not bind everything twice.
    return o instanceof EngramBridgeModule
        && ((EngramBridgeModule) o).discoverServices == discoverServices;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(discoverServices);
  }

  /** Reads the environment only when no configuration is bound. */
  static final class EnvironmentConfig implements Provider<BridgeConfig> {
    @Inject
    EnvironmentConfig() {}

    @Override
    public BridgeConfig get() {
      return BridgeConfig.fromEnvironment();
    }
  }

  static final class ConfiguredBackoff implements Provider<BackoffPolicy> {
    private final BridgeConfig config;

    @Inject
    ConfiguredBackoff(BridgeConfig config) {
      this.config = config;
    }

    @Override
    public BackoffPolicy get() {
      return config.backoff();
    }
  }
}
