package dev.engram.bridge.benchmarks;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.benchmarks.testing.ChaosDriver;
import dev.engram.bridge.benchmarks.testing.ChaosHandler;
import dev.engram.bridge.benchmarks.testing.ProjectIds;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeEngramServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Zero loss under chaos: 1 000 tracked projects are removed on a fake server on 127.0.0.1 while
 * {@link ChaosDriver} ends streams with every status, fails and stalls opens and syncs, restarts
 * the server on the same port and switches replay and the token; three handlers are slow or throw
 * on a seeded plan (never more often than the bridge retries). At the end every removal has
 * reached every handler successfully exactly once.
 *
 * <p>The real bridge, the real gRPC transport and real time, so a run takes about 20 s. The seed
 * comes from {@code -Dchaos.seed=N} (default {@value #DEFAULT_SEED}) and is printed with the
 * result line.
 */
class ChaosTest {
  private static final long DEFAULT_SEED = 20261203L;
  private static final int PROJECTS = 1_000;
  private static final int HANDLERS = 3;
  private static final Duration CHAOS = Duration.ofSeconds(15);
  private static final Duration SETTLE_LIMIT = Duration.ofSeconds(30);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

  private final AtomicInteger givenUp = new AtomicInteger();
  private final AtomicInteger handlerFailures = new AtomicInteger();
  private final AtomicInteger slowReports = new AtomicInteger();
  private final AtomicInteger streamsOpened = new AtomicInteger();
  private final AtomicInteger syncFailures = new AtomicInteger();
  private final Map<String, Integer> streamEndings = new TreeMap<>();

  @Test
  void chaos_everyRemovalReachesEveryHandlerExactlyOnce() throws Exception {
    long seed = Long.getLong("chaos.seed", DEFAULT_SEED);
    System.out.println("chaos seed=" + seed);
    List<ChaosHandler> handlers = new ArrayList<>();
    for (int h = 0; h < HANDLERS; h++) {
      handlers.add(new ChaosHandler(h, seed, PROJECTS, 0.05, 0.03, 120));
    }
    long started = System.nanoTime();

    try (FakeEngramServer server = FakeEngramServer.onLoopback().start();
        ChaosDriver chaos = new ChaosDriver(server, seed, PROJECTS, CHAOS, true)) {
      server.addProjects(ProjectIds.range(0, PROJECTS));
      EngramBridge bridge = bridge(server.url(), seed, handlers);
      bridge.start();

      chaos.start();
      boolean healed = chaos.finishAndHeal(CHAOS.plus(Duration.ofSeconds(10)));
      boolean settled = awaitEveryDelivery(handlers);
      long closeStarted = System.nanoTime();
      bridge.close();
      Duration closeTook = Duration.ofNanos(System.nanoTime() - closeStarted);

      List<Integer> all = IntStream.range(0, PROJECTS).boxed().collect(Collectors.toList());
      int lost = handlers.stream().mapToInt(h -> h.lost(all)).sum();
      int duplicated = handlers.stream().mapToInt(ChaosHandler::duplicated).sum();
      printResult(seed, handlers, chaos, lost, duplicated, started, closeTook);

      assertWithMessage("server errors while disrupting").that(chaos.errors()).isEmpty();
      assertThat(healed).isTrue();
      assertWithMessage("lost=%s duplicated=%s", lost, duplicated).that(lost).isEqualTo(0);
      assertWithMessage("lost=%s duplicated=%s", lost, duplicated).that(duplicated).isEqualTo(0);
      assertThat(settled).isTrue();
      assertWithMessage("removals given up by a handler").that(givenUp.get()).isEqualTo(0);
      for (ChaosHandler handler : handlers) {
        assertThat(handler.delivered()).isEqualTo(PROJECTS);
        assertThat(handler.thrown()).isEqualTo(handler.plannedFailures(all));
        assertThat(handler.maxConcurrentCalls()).isEqualTo(1);
      }
      assertThat(closeTook).isAtMost(CLOSE_GRACE.plusMillis(500));
    }
    await().atMost(Duration.ofSeconds(2)).untilAsserted(
        () -> assertThat(BridgeThreads.alive()).isEmpty());
  }

  private EngramBridge bridge(String url, long seed, List<ChaosHandler> handlers) {
    BridgeConfig config = BridgeConfig.builder()
        .serverUrl(url)
        .heartbeatInterval(Duration.ofMillis(1_500))
        .heartbeatJitter(Duration.ofMillis(300))
        .initialSyncDelayMax(Duration.ofMillis(200))
        .reconnectSyncDelayMax(Duration.ofMillis(300))
        .syncDeadline(Duration.ofMillis(400))
        .streamStablePeriod(Duration.ofSeconds(1))
        .backoff(BackoffPolicy.builder()
            .initialDelay(Duration.ofMillis(50))
            .multiplier(1.6)
            .maxDelay(Duration.ofMillis(500))
            .jitter(0.2)
            .build())
        .handlerQueueCapacity(16)
        .streamRequestWindow(4)
        .slowHandlerThreshold(Duration.ofMillis(100))
        .closeGracePeriod(CLOSE_GRACE)
        .build();
    EngramBridge.Builder builder = EngramBridge.builder()
        .config(config)
        .random(new Random(seed))
        .discoverServices(false)
        .addListener(new Tally());
    for (ChaosHandler handler : handlers) {
      builder.addHandler(handler).addTracker(handler.tracker());
    }
    return builder.build();
  }

  private static boolean awaitEveryDelivery(List<ChaosHandler> handlers) {
    try {
      await().atMost(SETTLE_LIMIT).pollInterval(Duration.ofMillis(50))
          .until(() -> handlers.stream().allMatch(h -> h.delivered() >= PROJECTS));
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  private void printResult(
      long seed,
      List<ChaosHandler> handlers,
      ChaosDriver chaos,
      int lost,
      int duplicated,
      long started,
      Duration closeTook) {
    int delivered = handlers.stream().mapToInt(ChaosHandler::delivered).sum();
    int thrown = handlers.stream().mapToInt(ChaosHandler::thrown).sum();
    int slow = handlers.stream().mapToInt(ChaosHandler::slowCalls).sum();
    System.out.printf(java.util.Locale.ROOT,
        "chaos seed=%d removals=%d handlers=%d lost=%d duplicated=%d delivered=%d thrown=%d "
            + "givenUp=%d slowCalls=%d slowReports=%d streamsOpened=%d syncFailures=%d "
            + "streamingOff=%s closeMs=%d tookMs=%d%n",
        seed, PROJECTS, HANDLERS, lost, duplicated, delivered, thrown, givenUp.get(), slow,
        slowReports.get(), streamsOpened.get(), syncFailures.get(), chaos.streamingTurnedOff(),
        closeTook.toMillis(), (System.nanoTime() - started) / 1_000_000);
    System.out.println("chaos seed=" + seed + " actions=" + chaos.actions());
    synchronized (streamEndings) {
      System.out.println("chaos seed=" + seed + " streamEndings=" + streamEndings);
    }
  }

  /** Counts what the bridge reports. */
  private final class Tally implements BridgeListener {
    @Override
    public void streamOpened(boolean resumed) {
      streamsOpened.incrementAndGet();
    }

    @Override
    public void streamClosed(TransportException failure) {
      String key = failure == null ? "completed" : failure.kind() + "/" + failure.status();
      synchronized (streamEndings) {
        streamEndings.merge(key, 1, Integer::sum);
      }
    }

    @Override
    public void syncFailed(TransportException failure) {
      syncFailures.incrementAndGet();
    }

    @Override
    public void handlerFailed(
        ProjectRemovalAware handler,
        ProjectRemoval removal,
        Throwable error,
        int attempt,
        boolean givingUp) {
      handlerFailures.incrementAndGet();
      if (givingUp) {
        givenUp.incrementAndGet();
      }
    }

    @Override
    public void handlerSlow(ProjectRemovalAware handler, ProjectRemoval removal, Duration took) {
      slowReports.incrementAndGet();
    }
  }
}
