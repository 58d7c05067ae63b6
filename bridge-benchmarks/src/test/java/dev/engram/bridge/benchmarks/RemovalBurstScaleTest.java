package dev.engram.bridge.benchmarks;

import static com.google.common.truth.Truth.assertThat;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.benchmarks.testing.HeapSampler;
import dev.engram.bridge.benchmarks.testing.ProjectIds;
import dev.engram.bridge.benchmarks.testing.ScriptedTransport;
import dev.engram.bridge.benchmarks.testing.TallyHandler;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeClock;
import dev.engram.bridge.testkit.FakeProjectTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 100 000 tracked projects, 20 000 of them removed in one burst, on each path. Timers run on a
 * fake clock; handlers run on the bridge's own threads, so queues really fill up and the bounds
 * that keep memory in check are really exercised.
 */
class RemovalBurstScaleTest {
  private static final int TRACKED = 100_000;
  private static final int REMOVED = 20_000;
  private static final Duration DELIVERY_LIMIT = Duration.ofSeconds(30);

  private final FakeClock clock = new FakeClock();
  private final ScriptedTransport transport = new ScriptedTransport(clock.wallClock());
  private final FakeProjectTracker tracker = new FakeProjectTracker();
  private final TallyHandler tally = new TallyHandler(TRACKED);
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong maxInFlight = new AtomicLong();
  private final BridgeConfig config = BridgeConfig.builder().build();
  private EngramBridge bridge;
  private HeapSampler heap;
  private long heapBefore;

  @BeforeEach
  void trackEverything() {
    tracker.set(ProjectIds.range(0, TRACKED));
    System.gc();
    heap = HeapSampler.start();
    heapBefore = heap.usedNow();
  }

  @AfterEach
  void closeBridge() {
    if (bridge != null) {
      bridge.close();
    }
    heap.close();
  }

  @Test
  void streamBurst_everyRemovalDeliveredOnce_andAtMostWindowPlusQueueInFlight() {
    bridge = start(() -> transport.latestStream().delivered());
    List<ServerEvent> burst = new ArrayList<>(REMOVED);
    for (int i = 0; i < REMOVED; i++) {
      burst.add(ServerEvent.removal(Integer.toString(i + 1), ProjectIds.id(i), "deleted"));
    }

    long started = System.nanoTime();
    transport.latestStream().emit(burst);
    awaitDeliveries(REMOVED);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    // The server keeps reporting them removed while they stay tracked: still once each.
    transport.serverRemoved(ProjectIds.range(0, REMOVED));
    clock.advance(config.heartbeatInterval().plus(config.heartbeatJitter()).multipliedBy(2));

    long bound = config.streamRequestWindow() + config.handlerQueueCapacity() + 1;
    report("stream", took, bound);
    assertThat(transport.syncCalls()).isAtLeast(2 * (TRACKED / config.syncChunkSize()));
    assertThat(tally.total()).isEqualTo(REMOVED);
    assertThat(tally.lost(REMOVED)).isEqualTo(0);
    assertThat(tally.duplicated()).isEqualTo(0);
    assertThat(maxInFlight.get()).isAtMost(bound);
    assertThat(transport.latestStream().maxOutstandingDemand())
        .isAtMost(config.streamRequestWindow());
  }

  @Test
  void heartbeatBurst_everyRemovalDeliveredOnce_andInFlightBoundedByOneReconciliation() {
    transport.serverRemoved(ProjectIds.range(0, REMOVED));
    bridge = start(accepted::get);

    long started = System.nanoTime();
    clock.advance(config.initialSyncDelayMax());
    awaitDeliveries(REMOVED);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    clock.advance(config.heartbeatInterval().plus(config.heartbeatJitter()).multipliedBy(2));

    report("heartbeat", took, REMOVED);
    assertThat(transport.syncCalls()).isAtLeast(2 * (TRACKED / config.syncChunkSize()));
    assertThat(accepted.get()).isEqualTo(REMOVED);
    assertThat(tally.total()).isEqualTo(REMOVED);
    assertThat(tally.lost(REMOVED)).isEqualTo(0);
    assertThat(tally.duplicated()).isEqualTo(0);
    assertThat(maxInFlight.get()).isAtMost(REMOVED);
  }

  /**
   * Starts a bridge whose handler notes, at each call, how many removals are inside the bridge:
   * {@code arrived} (events taken from the stream, or removals accepted) minus those handled.
   */
  private EngramBridge start(java.util.function.LongSupplier arrived) {
    ProjectRemovalAware probe = removal -> {
      maxInFlight.accumulateAndGet(arrived.getAsLong() - tally.total(), Math::max);
      tally.onProjectRemoved(removal);
    };
    EngramBridge started = EngramBridge.builder()
        .config(config)
        .transport(transport)
        .ticker(clock.ticker())
        .wallClock(clock.wallClock())
        .scheduler(clock.scheduler())
        .random(new Random(3))
        .discoverServices(false)
        .addHandler(probe)
        .addTracker(tracker)
        .addListener(new BridgeListener() {
          @Override
          public void removalAccepted(ProjectRemoval removal) {
            accepted.incrementAndGet();
          }
        })
        .build();
    started.start();
    clock.runDueTasks();
    return started;
  }

  private void awaitDeliveries(int count) {
    await().atMost(DELIVERY_LIMIT).pollInterval(Duration.ofMillis(5))
        .until(() -> tally.total() >= count);
  }

  private void report(String path, Duration took, long bound) {
    long peak = heap.peak();
    System.out.printf(java.util.Locale.ROOT,
        "scale %s burst: tracked=%d removed=%d delivered=%d lost=%d duplicated=%d took=%d ms "
            + "maxInFlight=%d (bound %d) heapBefore=%s peakHeap=%s (+%s)%n",
        path, TRACKED, REMOVED, tally.total(), tally.lost(REMOVED), tally.duplicated(),
        took.toMillis(), maxInFlight.get(), bound, HeapSampler.mib(heapBefore),
        HeapSampler.mib(peak), HeapSampler.mib(peak - heapBefore));
  }
}
