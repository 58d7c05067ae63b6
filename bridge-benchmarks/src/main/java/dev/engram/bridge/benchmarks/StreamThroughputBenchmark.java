package dev.engram.bridge.benchmarks;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.benchmarks.internal.Arrivals;
import dev.engram.bridge.benchmarks.internal.EventPushServer;
import dev.engram.bridge.benchmarks.internal.RawEventClient;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Removal events per second from a server stream over Netty on 127.0.0.1: through the whole
 * bridge (gRPC transport, stream loop, dedup, fan-out to 1 or 10 handlers on their own queues)
 * against a raw grpc-java client of the same server (as many messages requested as the bridge
 * requests by default, direct executor; a diagnostic shows the raw client with 16 requested).
 *
 * <p>One operation: the server is asked for {@value #BATCH} events and the benchmark waits until
 * every handler (or the raw client) has received them; the score is events per second. Every
 * event names a project the bridge has not seen within its dedup window, so each one is fanned
 * out. The bridge runs with its default settings.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class StreamThroughputBenchmark {
  static final int BATCH = 10_000;
  /** Far more distinct projects than the bridge's dedup window (1 024). */
  static final int POOL = 1 << 17;
  /** The bridge's default stream request window, which the raw client uses too. */
  static final int DEFAULT_WINDOW = BridgeConfig.builder().build().streamRequestWindow();
  static final int NARROW_WINDOW = 16;
  private static final Duration BATCH_LIMIT = Duration.ofSeconds(60);

  /** A bridge over gRPC with counting handlers, and the server it reads. */
  abstract static class BridgeRun {
    EventPushServer server;
    EngramBridge bridge;
    final Arrivals arrivals = new Arrivals();
    int handlerCount;
    long expected;

    void start(int handlers, Executor handlerExecutor, int requestWindow) throws Exception {
      handlerCount = handlers;
      server = EventPushServer.start(POOL);
      EngramBridge.Builder builder = EngramBridge.builder()
          .config(BridgeConfig.builder()
              .serverUrl(server.url())
              .streamRequestWindow(requestWindow)
              .build())
          .random(new Random(1))
          .discoverServices(false);
      if (handlerExecutor != null) {
        builder.handlerExecutor(handlerExecutor);
      }
      for (int i = 0; i < handlers; i++) {
        builder.addHandler(new CountingHandler(arrivals));
      }
      bridge = builder.build();
      bridge.start();
      server.awaitStreams(1, Duration.ofSeconds(10));
    }

    void stop() {
      bridge.close();
      server.close();
    }
  }

  /** The bridge as shipped: default settings, its own handler threads. */
  @State(Scope.Benchmark)
  public static class BridgeSide extends BridgeRun {
    @Param({"1", "10"})
    public int handlers;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start(handlers, null, DEFAULT_WINDOW);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stop();
    }
  }

  /**
   * Diagnostic: one handler run inline on the thread that takes the event from the stream, so
   * that no handler queue hands work to another thread. Not a supported setting (a slow handler
   * would stall the stream); it shows what the hand-off to handler threads costs.
   */
  @State(Scope.Benchmark)
  public static class InlineHandlerSide extends BridgeRun {
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start(1, MoreExecutors.directExecutor(), DEFAULT_WINDOW);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stop();
    }
  }

  /** A raw grpc-java client and the server it reads. */
  abstract static class RawRun {
    EventPushServer server;
    RawEventClient client;
    ExecutorService callbacks;
    final Arrivals arrivals = new Arrivals();
    long expected;

    void start(ExecutorService callbackPool, int window) throws Exception {
      callbacks = callbackPool;
      server = EventPushServer.start(POOL);
      client = new RawEventClient(
          server.port(), window, callbackPool, event -> arrivals.arrive());
      server.awaitStreams(1, Duration.ofSeconds(10));
    }

    void stop() {
      client.close();
      server.close();
      if (callbacks != null) {
        callbacks.shutdownNow();
      }
    }
  }

  /** The baseline: the bridge's default window requested, callbacks on the I/O thread. */
  @State(Scope.Benchmark)
  public static class RawSide extends RawRun {
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start(null, DEFAULT_WINDOW);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stop();
    }
  }

  /**
   * Diagnostic: the raw client with {@value #NARROW_WINDOW} messages requested, the bridge's
   * former default: whether a window this long is what makes the raw client fast.
   */
  @State(Scope.Benchmark)
  public static class RawNarrowSide extends RawRun {
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start(null, NARROW_WINDOW);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stop();
    }
  }

  /**
   * Diagnostic: the raw client with its callbacks on a pool of two threads, as the bridge's
   * transport has them, instead of on the I/O thread: what that thread hop costs by itself.
   */
  @State(Scope.Benchmark)
  public static class RawPooledSide extends RawRun {
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start(Executors.newFixedThreadPool(2,
          new ThreadFactoryBuilder().setNameFormat("raw-callback-%d").setDaemon(true).build()),
          DEFAULT_WINDOW);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      stop();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void bridge(BridgeSide side) throws TimeoutException {
    push(side);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void raw(RawSide side) throws TimeoutException {
    push(side);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void diagnosticBridgeInlineHandler(InlineHandlerSide side) throws TimeoutException {
    push(side);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void diagnosticRawWindow16(RawNarrowSide side) throws TimeoutException {
    push(side);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void diagnosticRawPooledCallbacks(RawPooledSide side) throws TimeoutException {
    push(side);
  }

  /** One batch through the bridge: every handler gets every event. */
  private static void push(BridgeRun run) throws TimeoutException {
    run.expected += (long) BATCH * run.handlerCount;
    run.server.push(BATCH);
    run.arrivals.awaitAtLeast(run.expected, BATCH_LIMIT);
  }

  /** One batch to the raw client. */
  private static void push(RawRun run) throws TimeoutException {
    run.expected += BATCH;
    run.server.push(BATCH);
    run.arrivals.awaitAtLeast(run.expected, BATCH_LIMIT);
  }

  /** A handler that only counts: what is measured is what it takes to reach it. */
  static final class CountingHandler implements ProjectRemovalAware {
    private final Arrivals arrivals;

    CountingHandler(Arrivals arrivals) {
      this.arrivals = arrivals;
    }

    @Override
    public void onProjectRemoved(ProjectRemoval removal) {
      arrivals.arrive();
    }
  }
}
