package dev.engram.bridge.benchmarks;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.engram.bridge.benchmarks.internal.Arrivals;
import dev.engram.bridge.benchmarks.internal.EventPushServer;
import dev.engram.bridge.benchmarks.internal.RawEventClient;
import dev.engram.bridge.benchmarks.internal.Samples;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latency at 1 000 events per second, from the moment the server hands an event to gRPC to the
 * moment the handler is called: the bridge (defaults, one handler) against a raw grpc-java client
 * (as many requested as the bridge requests by default, direct executor). Both read their own
 * {@link EventPushServer} in this JVM, so both ends are stamped with the same {@link
 * System#nanoTime()} clock.
 *
 * <p>Both clients are measured at the same moments: every tick of the pacer sends one event to
 * each of them (in alternating order), so that a pause of the machine, the JIT or the collector
 * hits both alike, and the ratio of their percentiles in one round holds even when the absolute
 * figures do not. Each round's percentiles are computed over every event of the round (no
 * sampling).
 */
public final class LatencyScenario {
  private static final int POOL = 1 << 17;
  private static final Duration PERIOD = Duration.ofMillis(1);

  /** One round of one client. */
  public record Round(String client, int round, int events, Samples latencies) {}

  private LatencyScenario() {}

  /**
   * @param rounds rounds per client
   * @param events events per round, sent one per millisecond
   * @param warmUp events each client receives first, not measured
   */
  public static List<Round> run(int rounds, int events, int warmUp) throws Exception {
    List<Round> results = new ArrayList<>();
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setNameFormat("latency-pacer").setDaemon(true).build());
    try (Consumer raw = Consumer.raw(); Consumer bridge = Consumer.bridge()) {
      List<Consumer> both = List.of(raw, bridge);
      send(pacer, both, warmUp);
      for (int round = 0; round < rounds; round++) {
        int first = raw.sent;
        send(pacer, both, events);
        results.add(raw.round(round + 1, first, events));
        results.add(bridge.round(round + 1, first, events));
      }
    } finally {
      pacer.shutdownNow();
    }
    return results;
  }

  /**
   * Sends {@code count} events to each consumer, one per millisecond to each (the first of them
   * alternating from tick to tick), and waits until all arrived.
   */
  private static void send(ScheduledExecutorService pacer, List<Consumer> consumers, int count)
      throws InterruptedException, TimeoutException {
    CountDownLatch allSent = new CountDownLatch(1);
    AtomicInteger left = new AtomicInteger(count);
    Runnable tick = () -> {
      int remaining = left.getAndDecrement();
      if (remaining > 0) {
        int n = consumers.size();
        for (int i = 0; i < n; i++) {
          consumers.get((remaining + i) % n).server.push(1);
        }
      }
      if (remaining <= 1) {
        allSent.countDown();
      }
    };
    ScheduledFuture<?> ticking =
        pacer.scheduleAtFixedRate(tick, 0, PERIOD.toNanos(), TimeUnit.NANOSECONDS);
    boolean done = allSent.await(count * PERIOD.toMillis() + 10_000, TimeUnit.MILLISECONDS);
    ticking.cancel(false);
    if (!done) {
      throw new TimeoutException("the pacer did not send " + count + " events in time");
    }
    for (Consumer consumer : consumers) {
      consumer.sent += count;
      consumer.arrivals.awaitAtLeast(consumer.sent, Duration.ofSeconds(30));
    }
  }

  /** A server and a client of it that stamps when each event reaches it. */
  private static final class Consumer implements AutoCloseable {
    private final String name;
    private final EventPushServer server;
    private final AtomicLongArray receivedAt = new AtomicLongArray(POOL);
    private final Arrivals arrivals = new Arrivals();
    private Runnable closeClient = () -> { };
    private int sent;

    private Consumer(String name) {
      this.name = name;
      this.server = EventPushServer.start(POOL);
    }

    static Consumer raw() throws Exception {
      Consumer consumer = new Consumer("raw grpc-java");
      RawEventClient client = new RawEventClient(consumer.server.port(),
          StreamThroughputBenchmark.DEFAULT_WINDOW, null,
          event -> consumer.received(EventPushServer.indexOfEventId(event.getEventId())));
      consumer.closeClient = client::close;
      consumer.server.awaitStreams(1, Duration.ofSeconds(10));
      return consumer;
    }

    static Consumer bridge() throws Exception {
      Consumer consumer = new Consumer("bridge");
      EngramBridge bridge = EngramBridge.builder()
          .config(BridgeConfig.builder().serverUrl(consumer.server.url()).build())
          .random(new Random(1))
          .discoverServices(false)
          .addHandler(removal -> consumer.received(
              EventPushServer.indexOfProjectId(removal.projectId())))
          .build();
      consumer.closeClient = bridge::close;
      bridge.start();
      consumer.server.awaitStreams(1, Duration.ofSeconds(10));
      return consumer;
    }

    private void received(int index) {
      receivedAt.set(index, System.nanoTime());
      arrivals.arrive();
    }

    /** The latencies of {@code count} events from the {@code first}. */
    Round round(int round, int first, int count) {
      long[] latencies = new long[count];
      for (int i = 0; i < count; i++) {
        int index = (first + i) % POOL;
        latencies[i] = receivedAt.get(index) - server.sentAtNanos(index);
      }
      return new Round(name, round, count, Samples.of(latencies));
    }

    @Override
    public void close() {
      closeClient.run();
      server.close();
    }
  }
}
