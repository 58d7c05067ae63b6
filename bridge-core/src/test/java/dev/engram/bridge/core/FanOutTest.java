package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.core.testing.Waits.advanceUntil;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.core.testing.BridgeThreads;
import dev.engram.bridge.core.testing.QuietLogs;
import dev.engram.bridge.core.testing.RecordingHandler;
import dev.engram.bridge.core.testing.RecordingListener;
import dev.engram.bridge.core.testing.TestBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FanOutTest {
  private final TestBridge t = new TestBridge();

  @Test
  void throwingHandlerRegisteredFirst_doesNotStopTheHealthyOne_andIsLoggedAndReported() {
    RecordingHandler thrower = new ThrowingHandler();
    RecordingHandler healthy = new RecordingHandler();
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addHandler(thrower)
        .addHandler(healthy)
        .build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");
    t.stream().emitRemoval("2", "p2");

    assertThat(healthy.projectIds()).containsExactly("p1", "p2").inOrder();
    assertThat(thrower.count()).isEqualTo(2);
    RecordingListener.Failure failure = t.listener.failures().get(0);
    assertThat(failure.handler()).isSameInstanceAs(thrower);
    assertThat(failure.projectId()).isEqualTo("p1");
    assertThat(failure.attempt()).isEqualTo(1);
    assertThat(failure.givingUp()).isFalse();
    assertThat(QuietLogs.linesWith("WARN", "handler failed",
        "handler=" + ThrowingHandler.class.getName(), "project_id=p1")).hasSize(1);
    assertThat(QuietLogs.linesWith("boom from the handler")).isNotEmpty();
  }

  @Test
  void failedHandler_isCalledAgainWhenTheRemovalIsReportedAgain_onlyItAndAtMostThreeTimes() {
    RecordingHandler flaky = new ThrowingHandler();
    RecordingHandler healthy = new RecordingHandler();
    t.tracker.add("p1");
    t.transport.serverRemoved("p1");
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addHandler(flaky)
        .addHandler(healthy)
        .addTracker(t.tracker)
        .build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, Duration.ofMinutes(6), () -> t.listener.syncs().size() == 5);

    assertThat(flaky.count()).isEqualTo(3);
    assertThat(healthy.count()).isEqualTo(1);
    assertThat(flaky.calls().get(1).source()).isEqualTo(RemovalSource.HEARTBEAT);
    List<Integer> attempts = new ArrayList<>();
    t.listener.failures().forEach(f -> attempts.add(f.attempt()));
    assertThat(attempts).containsExactly(1, 2, 3).inOrder();
    assertThat(t.listener.failures().get(2).givingUp()).isTrue();
    assertThat(QuietLogs.linesWith("ERROR", "giving up",
        "handler=" + ThrowingHandler.class.getName(), "project_id=p1")).hasSize(1);
  }

  @Test
  void handlerThatFailsOnceThenSucceeds_isNotCalledAgainAfterwards() {
    AtomicInteger calls = new AtomicInteger();
    RecordingHandler onceBroken = new RecordingHandler().behaviour(removal -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("first call fails");
      }
    });
    t.tracker.add("p1");
    t.transport.serverRemoved("p1");
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addHandler(onceBroken)
        .addTracker(t.tracker)
        .build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, Duration.ofMinutes(4), () -> t.listener.syncs().size() == 3);

    assertThat(onceBroken.count()).isEqualTo(2);
  }

  @Test
  void maxHandlerAttempts_isConfigurable() {
    RecordingHandler flaky = new ThrowingHandler();
    t.tracker.add("p1");
    t.transport.serverRemoved("p1");
    EngramBridge bridge = t.bare(TestBridge.config().maxHandlerAttempts(1).build())
        .addHandler(flaky)
        .addTracker(t.tracker)
        .build();
    bridge.start();

    advanceUntil(t.clock, Duration.ofMinutes(4), () -> t.listener.syncs().size() == 3);

    assertThat(flaky.count()).isEqualTo(1);
    assertThat(t.listener.failures().get(0).givingUp()).isTrue();
  }

  @Test
  void handlers_areCalledInRegistrationOrder() {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addHandler(removal -> calls.add("first:" + removal.projectId()))
        .addHandler(removal -> calls.add("second:" + removal.projectId()))
        .addHandler(removal -> calls.add("third:" + removal.projectId()))
        .build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");

    assertThat(calls).containsExactly("first:p1", "second:p1", "third:p1").inOrder();
  }

  @Test
  void slowHandlerCall_isReportedOnce_withAWarningAndToListeners() {
    RecordingHandler slow = new RecordingHandler().behaviour(removal -> {
      // Fake time passes while the handler runs.
      t.clock.advance(Duration.ofSeconds(6));
      t.clock.advance(Duration.ofSeconds(20));
    });
    EngramBridge bridge = t.bare(TestBridge.config().build()).addHandler(slow).build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");

    assertThat(t.listener.slow()).hasSize(1);
    assertThat(t.listener.slow().get(0).projectId()).isEqualTo("p1");
    assertThat(t.listener.slow().get(0).elapsed()).isEqualTo(Duration.ofSeconds(5));
    assertThat(QuietLogs.linesWith("WARN", "handler call is slow", "project_id=p1")).hasSize(1);
  }

  @Test
  void fastHandlerCall_isNotReportedAndLeavesNoTimerBehind() {
    EngramBridge bridge = t.start();
    int pendingBefore = t.clock.pendingTaskCount();

    t.stream().emitRemoval("1", "p1");
    t.clock.advance(Duration.ofSeconds(6));

    assertThat(t.listener.slow()).isEmpty();
    assertThat(t.clock.pendingTaskCount()).isAtMost(pendingBefore);
  }

  @Test
  void manyFastCalls_keepAtMostOneSlowCallTimerPendingPerHandler() {
    EngramBridge bridge = t.start();
    int pendingBefore = t.clock.pendingTaskCount();

    for (int i = 0; i < 50; i++) {
      t.stream().emitRemoval(String.valueOf(i), "p" + i);
    }

    assertThat(t.clock.pendingTaskCount()).isAtMost(pendingBefore + 1);
    t.clock.advance(Duration.ofSeconds(6));
    assertThat(t.listener.slow()).isEmpty();
    assertThat(t.clock.pendingTaskCount()).isAtMost(pendingBefore);
  }

  @Test
  void slowCallAfterAFastOne_isReportedAtItsOwnThreshold_notTheEarlierCallsTimer() {
    List<Integer> reportsTwoSecondsIn = new ArrayList<>();
    RecordingHandler handler = new RecordingHandler().behaviour(removal -> {
      if (removal.projectId().equals("slow")) {
        // The fast call's timer is due 2 s into this call; it must look again, not report.
        t.clock.advance(Duration.ofSeconds(2));
        reportsTwoSecondsIn.add(t.listener.slow().size());
        t.clock.advance(Duration.ofSeconds(4));
      }
    });
    EngramBridge bridge = t.bare(TestBridge.config().build()).addHandler(handler).build();
    bridge.start();

    t.stream().emitRemoval("1", "fast");
    t.clock.advance(Duration.ofSeconds(3));
    t.stream().emitRemoval("2", "slow");

    assertThat(reportsTwoSecondsIn).containsExactly(0);
    assertThat(t.listener.slow()).hasSize(1);
    assertThat(t.listener.slow().get(0).projectId()).isEqualTo("slow");
    assertThat(t.listener.slow().get(0).elapsed()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void slowThreshold_isConfigurable() {
    RecordingHandler slow = new RecordingHandler()
        .behaviour(removal -> t.clock.advance(Duration.ofMillis(300)));
    EngramBridge bridge = t.bare(
            TestBridge.config().slowHandlerThreshold(Duration.ofMillis(200)).build())
        .addHandler(slow)
        .build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");

    assertThat(t.listener.slow()).hasSize(1);
  }

  @Test
  void oneHandler_isNeverCalledFromTwoThreadsAtOnce_andSeesRemovalsInOrder() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    ProjectRemovalAware handler = removal -> {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      seen.add(removal.projectId());
      inside.decrementAndGet();
    };
    EngramBridge bridge = t.handlerExecutor(null).bare(TestBridge.config().build())
        .addHandler(handler)
        .addHandler(new RecordingHandler())
        .build();
    List<String> expected = new ArrayList<>();
    try {
      bridge.start();
      for (int i = 0; i < 300; i++) {
        expected.add("p" + i);
        emitWhenDemanded(String.valueOf(i), "p" + i);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 300);
    } finally {
      bridge.close();
    }

    assertThat(overlaps.get()).isEqualTo(0);
    assertThat(seen).containsExactlyElementsIn(expected).inOrder();
    await().atMost(Duration.ofSeconds(2)).until(() -> BridgeThreads.alive().isEmpty());
  }

  /** Emits on the current stream; the fake holds events beyond demand, so this never drops. */
  private void emitWhenDemanded(String eventId, String projectId) {
    t.stream().emitRemoval(eventId, projectId);
  }

  /** Throws on every call, after recording it. */
  private static final class ThrowingHandler extends RecordingHandler {
    ThrowingHandler() {
      behaviour(removal -> {
        throw new IllegalStateException("boom from the handler");
      });
    }
  }
}
