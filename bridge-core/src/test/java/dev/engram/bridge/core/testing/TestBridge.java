package dev.engram.bridge.core.testing;

import com.google.common.util.concurrent.MoreExecutors;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeClock;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * A bridge wired to fakes: fake clock (scheduler, ticker, wall clock), in-memory transport,
 * handlers run inline on the thread that delivers, seeded jitter, no service discovery. Every
 * timing rule is then driven by {@link FakeClock#advance}.
 */
public final class TestBridge {
  public final FakeClock clock = new FakeClock();
  public final FakeTransport transport = new FakeTransport(clock.wallClock());
  public final RecordingListener listener = new RecordingListener();
  public final RecordingHandler handler = new RecordingHandler();
  public final MutableTracker tracker = new MutableTracker();
  private Executor handlerExecutor = MoreExecutors.directExecutor();

  /**
   * Where handlers run in bridges built from now on; default inline; null for the bridge's own
   * pool of real threads.
   */
  public TestBridge handlerExecutor(Executor executor) {
    this.handlerExecutor = executor;
    return this;
  }

  /** A config builder at the defaults, with no server URL (the fake transport is given). */
  /** The default stream request window, which tests that count demand start from. */
  public static final int WINDOW = BridgeConfig.builder().build().streamRequestWindow();

  public static BridgeConfig.Builder config() {
    return BridgeConfig.builder();
  }

  /** A builder with every fake wired in, but no handler or tracker yet. */
  public EngramBridge.Builder bare(BridgeConfig config) {
    EngramBridge.Builder builder = EngramBridge.builder()
        .config(config)
        .transport(transport)
        .ticker(clock.ticker())
        .wallClock(clock.wallClock())
        .scheduler(clock.scheduler())
        .random(new Random(7))
        .discoverServices(false)
        .addListener(listener);
    return handlerExecutor == null ? builder : builder.handlerExecutor(handlerExecutor);
  }

  /** A builder with the recording handler and the mutable tracker. */
  public EngramBridge.Builder builder(BridgeConfig config) {
    return bare(config).addHandler(handler).addTracker(tracker);
  }

  /** Builds with {@code config} and starts. */
  public EngramBridge start(BridgeConfig config) {
    EngramBridge bridge = builder(config).build();
    bridge.start();
    return bridge;
  }

  /** Builds with default settings and starts. */
  public EngramBridge start() {
    return start(config().build());
  }

  public FakeStream stream() {
    return transport.latestStream();
  }
}
