package dev.engram.bridge.benchmarks;

import static com.google.common.truth.Truth.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.MoreExecutors;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.benchmarks.testing.ProjectIds;
import dev.engram.bridge.benchmarks.testing.ScriptedTransport;
import dev.engram.bridge.benchmarks.testing.TallyHandler;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 1 000 handlers registered: what does handing one removal to all of them cost? Measured on the
 * bridge's own handler pool (one serial queue per handler, on real threads) and, to separate the
 * bridge's own bookkeeping from thread hand-offs, with handlers run inline.
 */
class FanOutScaleTest {
  private static final int HANDLERS = 1_000;
  private static final int WARM_UP = 200;
  private static final int MEASURED = 500;
  private static final int PROJECTS = WARM_UP + MEASURED;

  private final ScriptedTransport transport = new ScriptedTransport(Clock.systemUTC());
  private final AtomicLong calls = new AtomicLong();
  private final List<TallyHandler> handlers = new ArrayList<>();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private EngramBridge bridge;

  @AfterEach
  void closeBridge() {
    if (bridge != null) {
      bridge.close();
    }
  }

  @Test
  void fanOut_1000Handlers_ownPool_everyHandlerGetsEveryRemovalOnce() {
    bridge = start(null);
    int threadsBefore = threads.getThreadCount();

    Duration took = burst();

    int peakThreads = threads.getPeakThreadCount();
    report("own handler pool", took, peakThreads - threadsBefore);
    assertEveryHandlerGotEveryRemovalOnce();
  }

  @Test
  void fanOut_1000Handlers_inline_everyHandlerGetsEveryRemovalOnce() {
    bridge = start(MoreExecutors.directExecutor());
    int threadsBefore = threads.getThreadCount();

    Duration took = burst();

    report("inline (bookkeeping only)", took, threads.getPeakThreadCount() - threadsBefore);
    assertEveryHandlerGotEveryRemovalOnce();
  }

  /** Warms up, then times one burst of {@link #MEASURED} removals to every handler. */
  private Duration burst() {
    emit(0, WARM_UP);
    awaitCalls((long) WARM_UP * HANDLERS);
    threads.resetPeakThreadCount();

    long started = System.nanoTime();
    emit(WARM_UP, MEASURED);
    awaitCalls((long) PROJECTS * HANDLERS);
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private EngramBridge start(Executor handlerExecutor) {
    // The bridge's own scheduler, not the fake clock's: every handler call arms and cancels a
    // slow-call timer on it, and that cost belongs in the measurement.
    EngramBridge.Builder builder = EngramBridge.builder()
        .config(BridgeConfig.builder().build())
        .transport(transport)
        .random(new Random(5))
        .discoverServices(false);
    if (handlerExecutor != null) {
      builder.handlerExecutor(handlerExecutor);
    }
    for (int i = 0; i < HANDLERS; i++) {
      TallyHandler handler = new TallyHandler(PROJECTS, calls);
      handlers.add(handler);
      builder.addHandler(handler);
    }
    EngramBridge started = builder.build();
    started.start();
    return started;
  }

  private void emit(int from, int count) {
    List<ServerEvent> events = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      events.add(ServerEvent.removal(Integer.toString(i + 1), ProjectIds.id(i), "deleted"));
    }
    transport.latestStream().emit(events);
  }

  private void awaitCalls(long expected) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
        .until(() -> calls.get() >= expected);
  }

  private void assertEveryHandlerGotEveryRemovalOnce() {
    assertThat(calls.get()).isEqualTo((long) PROJECTS * HANDLERS);
    for (TallyHandler handler : handlers) {
      assertThat(handler.total()).isEqualTo(PROJECTS);
      assertThat(handler.lost(PROJECTS)).isEqualTo(0);
      assertThat(handler.duplicated()).isEqualTo(0);
    }
  }

  private static void report(String how, Duration took, int extraThreads) {
    double perRemovalMicros = took.toNanos() / 1000.0 / MEASURED;
    double perCallNanos = (double) took.toNanos() / MEASURED / HANDLERS;
    System.out.printf(Locale.ROOT,
        "scale fan-out, %s: handlers=%d removals=%d took=%d ms per removal=%.1f us "
            + "per handler call=%.0f ns peak extra threads=%d%n",
        how, HANDLERS, MEASURED, took.toMillis(), perRemovalMicros, perCallNanos, extraThreads);
  }
}
