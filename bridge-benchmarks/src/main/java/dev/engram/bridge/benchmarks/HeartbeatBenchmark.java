package dev.engram.bridge.benchmarks;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.benchmarks.internal.Arrivals;
import dev.engram.bridge.benchmarks.internal.EventPushServer;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import dev.engram.bridge.testkit.FakeClock;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.FakeProjectTracker;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One reconciliation of 100 000 tracked ids (ten chunks of 10 000, one after another) against a
 * server on 127.0.0.1 that knows 1 000 of them as removed although they are still tracked:
 * through the bridge's heartbeat and gRPC transport, against the same ten calls made with a
 * plain grpc-java blocking stub. The bridge's timers run on a fake clock, so that a tick starts
 * exactly when the benchmark says; the calls themselves go over a real socket.
 *
 * <p>Two servers ({@code server} parameter): {@code lean}, the benchmarks' own server, which
 * answers from a prepared set of removed ids and so leaves the client's work as most of a tick;
 * and {@code testkit}, the testkit's fake server, which looks every id up in its project
 * bookkeeping and does most of the work of a tick itself (its time moves by up to 4x from one
 * round to the next on two shared cores, and the wall time of both clients with it).
 *
 * <p>The bridge's tick includes reading and sorting the trackers' ids and deduplicating the
 * 1 000 removals it is told about again; the raw calls get the ids already sorted.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class HeartbeatBenchmark {
  static final int TRACKED = 100_000;
  static final int REMOVED = 1_000;
  static final int CHUNK = 10_000;
  private static final Duration INTERVAL = Duration.ofSeconds(60);
  private static final Duration TICK_LIMIT = Duration.ofSeconds(30);

  static List<String> ids() {
    List<String> ids = new ArrayList<>(TRACKED);
    for (int i = 0; i < TRACKED; i++) {
      ids.add("p" + i);
    }
    Collections.sort(ids);
    return List.copyOf(ids);
  }

  /** The kinds of server a tick can run against, as the {@code server} parameter names them. */
  static final List<String> SERVERS = List.of("lean", "testkit");

  /** The ids tracked but removed on the server: the first {@value #REMOVED}. */
  static List<String> removedIds() {
    List<String> removed = new ArrayList<>(REMOVED);
    for (int i = 0; i < REMOVED; i++) {
      removed.add("p" + i);
    }
    return removed;
  }

  /** A server of the named kind that knows {@code ids} and has removed {@link #removedIds}. */
  static Served server(String kind, List<String> ids) {
    switch (kind) {
      case "lean": {
        EventPushServer server = EventPushServer.start(1);
        server.reportAsRemoved(removedIds());
        return new Served(server.port(), server);
      }
      case "testkit": {
        FakeEngramServer server = FakeEngramServer.onLoopback().start();
        server.addProjects(ids);
        removedIds().forEach(server::removeProjectWithoutEvent);
        return new Served(server.port(), server);
      }
      default:
        throw new IllegalArgumentException(
            "server kind '" + kind + "' is not one of " + SERVERS);
    }
  }

  /** A started server, on 127.0.0.1. */
  record Served(int port, AutoCloseable server) {
    String url() {
      return "http://127.0.0.1:" + port;
    }

    void close() {
      try {
        server.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop the benchmark server", e);
      }
    }
  }

  /** A bridge whose heartbeat ticks when the fake clock reaches it. */
  @State(Scope.Benchmark)
  public static class BridgeSide {
    @Param({"lean", "testkit"})
    public String server = "lean";

    final FakeClock clock = new FakeClock();
    final Arrivals ticks = new Arrivals();
    Served served;
    EngramBridge bridge;
    long done;

    @Setup(Level.Trial)
    public void start() throws TimeoutException {
      List<String> ids = ids();
      served = server(server, ids);
      BridgeConfig config = BridgeConfig.builder()
          .serverUrl(served.url())
          .heartbeatInterval(INTERVAL)
          .heartbeatJitter(Duration.ZERO)
          .initialSyncDelayMax(Duration.ZERO)
          // The stream is accepted at 10 s, with the periodic tick due within this: no extra
          // tick after the reconnect.
          .reconnectSyncDelayMax(INTERVAL)
          .build();
      bridge = EngramBridge.builder()
          .config(config)
          .ticker(clock.ticker())
          .wallClock(clock.wallClock())
          .scheduler(clock.scheduler())
          .random(new Random(1))
          .discoverServices(false)
          .addHandler(removal -> { })
          .addTracker(new FakeProjectTracker(ids.toArray(new String[0])))
          .addListener(new BridgeListener() {
            @Override
            public void syncCompleted(
                int localIds, int removed, int unknown, Duration took, Duration skew) {
              ticks.arrive();
            }

            @Override
            public void syncFailed(TransportException failure) {
              ticks.arrive();
            }
          })
          .build();
      bridge.start();
      // The first tick runs at start; then one each time the clock reaches the interval. The
      // listener hears of a tick just before the heartbeat finishes with it, so a timer due at
      // that very moment would wait for the next advance; the ones used here never are.
      clock.runDueTasks();
      ticks.awaitAtLeast(++done, TICK_LIMIT);
      clock.advance(INTERVAL);
      ticks.awaitAtLeast(++done, TICK_LIMIT);
    }

    @TearDown(Level.Trial)
    public void stop() {
      bridge.close();
      served.close();
    }
  }

  /** The same calls through a plain blocking stub. */
  @State(Scope.Benchmark)
  public static class RawSide {
    @Param({"lean", "testkit"})
    public String server = "lean";

    Served served;
    EventLoopGroup io;
    ManagedChannel channel;
    EngramServiceGrpc.EngramServiceBlockingStub stub;
    List<String> ids;

    @Setup(Level.Trial)
    public void start() {
      ids = ids();
      served = server(server, ids);
      io = new MultiThreadIoEventLoopGroup(1,
          new ThreadFactoryBuilder().setNameFormat("raw-sync-io").setDaemon(true).build(),
          NioIoHandler.newFactory());
      channel = NettyChannelBuilder.forAddress("127.0.0.1", served.port())
          .usePlaintext()
          .eventLoopGroup(io)
          .channelType(NioSocketChannel.class)
          .directExecutor()
          .build();
      stub = EngramServiceGrpc.newBlockingStub(channel);
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
      served.close();
    }
  }

  /** One tick of the bridge's heartbeat, from its timer to the listener's report. */
  @Benchmark
  public long bridgeTick(BridgeSide side) throws TimeoutException {
    // Exactly to the tick: a step further could fire the running call's deadline timer.
    side.clock.advance(INTERVAL);
    side.ticks.awaitAtLeast(++side.done, TICK_LIMIT);
    return side.done;
  }

  /** The same ten calls, made one after another with a blocking stub. */
  @Benchmark
  public int rawCalls(RawSide side) {
    int removed = 0;
    for (int from = 0; from < TRACKED; from += CHUNK) {
      SyncProjectStateResponse response = side.stub
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .syncProjectState(SyncProjectStateRequest.newBuilder()
              .setClientId("raw-baseline")
              .addAllLocalProjectIds(side.ids.subList(from, Math.min(TRACKED, from + CHUNK)))
              .build());
      removed += response.getRemovedCount();
    }
    return removed;
  }
}
