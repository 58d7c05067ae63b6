package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.core.testing.Waits.untilStreamAfter;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.core.testing.QuietLogs;
import dev.engram.bridge.core.testing.TestBridge;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamLoopTest {
  private final TestBridge t = new TestBridge();

  @Test
  void start_opensOneStreamWithTheClientIdAndRequestsTheWindow() {
    EngramBridge bridge = t.start();

    assertThat(t.transport.streamCount()).isEqualTo(1);
    assertThat(t.stream().clientId()).isEqualTo(bridge.clientId());
    assertThat(t.stream().resumeEventId()).isEmpty();
    assertThat(t.stream().requested()).isEqualTo(TestBridge.WINDOW);
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTING);
    assertThat(t.listener.streamsOpened()).containsExactly(false);
  }

  @Test
  void eventOnStream_reachesTheHandler() {
    t.start();

    t.stream().emit(ServerEvent.of("17", 1, "p1", 1_700_000_000_000L, "deleted by alice", null));

    assertThat(t.handler.calls()).hasSize(1);
    ProjectRemoval removal = t.handler.calls().get(0);
    assertThat(removal.projectId()).isEqualTo("p1");
    assertThat(removal.source()).isEqualTo(RemovalSource.STREAM);
    assertThat(removal.eventId()).hasValue("17");
    assertThat(removal.reason()).hasValue("deleted by alice");
    assertThat(removal.serverTime()).hasValue(Instant.ofEpochMilli(1_700_000_000_000L));
  }

  @Test
  void firstMessage_isEvidence_connectsAndMarksFresh() {
    EngramBridge bridge = t.start();
    assertThat(bridge.lastConfirmedFresh()).isEmpty();
    t.clock.advance(Duration.ofMillis(300));

    t.stream().emitRemoval("1", "p1");

    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTED);
    assertThat(bridge.lastConfirmedFresh()).hasValue(t.clock.now());
    assertThat(QuietLogs.linesWith("INFO", "event stream connected", "evidence=message"))
        .hasSize(1);
  }

  @Test
  void quietStream_isAcceptedAfterTheStablePeriod() {
    EngramBridge bridge = t.start(TestBridge.config()
        .initialSyncDelayMax(Duration.ZERO).build());
    t.transport.failNextSync(FailureKind.RETRYABLE, "UNAVAILABLE");

    t.clock.advance(Duration.ofMillis(9_999));
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTING);
    assertThat(bridge.lastConfirmedFresh()).isEmpty();

    t.clock.advance(Duration.ofMillis(1));
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTED);
    assertThat(bridge.lastConfirmedFresh()).hasValue(t.clock.now());
  }

  @Test
  void reconnect_afterServerDrop_opensANewStreamAfterAJitteredBackoff() {
    EngramBridge bridge = t.start();
    t.stream().emitRemoval("1", "p1");

    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");

    assertThat(bridge.state()).isEqualTo(BridgeState.BACKING_OFF);
    assertThat(t.transport.resetConnectBackoffCalls()).isEqualTo(1);
    Duration waited = untilStreamAfter(t.clock, t.transport, 1);
    assertThat(waited).isAtLeast(Duration.ofMillis(800));
    assertThat(waited).isAtMost(Duration.ofMillis(1210));
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTING);

    t.stream().emitRemoval("2", "p2");
    assertThat(t.handler.projectIds()).containsExactly("p1", "p2").inOrder();
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTED);
  }

  @Test
  void backoff_withoutEvidence_growsByTheMultiplierWithJitterUpToTheCap() {
    t.start();
    List<Duration> waits = new ArrayList<>();

    for (int attempt = 0; attempt < 12; attempt++) {
      t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
      waits.add(untilStreamAfter(t.clock, t.transport, attempt + 1));
    }

    for (int attempt = 0; attempt < waits.size(); attempt++) {
      double base = Math.min(30_000, 1000 * Math.pow(1.6, attempt));
      long waited = waits.get(attempt).toMillis();
      assertThat((double) waited).isAtLeast(base * 0.8 - 10);
      assertThat((double) waited).isAtMost(Math.min(30_000, base * 1.2) + 10);
    }
    assertThat(t.transport.resetConnectBackoffCalls()).isEqualTo(12);
  }

  @Test
  void backoff_resetsOnAMessage() {
    t.start();
    for (int attempt = 0; attempt < 6; attempt++) {
      t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
      untilStreamAfter(t.clock, t.transport, attempt + 1);
    }

    t.stream().emitRemoval("1", "p1");
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");

    assertThat(untilStreamAfter(t.clock, t.transport, 7)).isAtMost(Duration.ofMillis(1210));
  }

  @Test
  void backoff_resetsWhenTheStreamStaysOpenForTheStablePeriod() {
    t.start();
    for (int attempt = 0; attempt < 6; attempt++) {
      t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
      untilStreamAfter(t.clock, t.transport, attempt + 1);
    }

    t.clock.advance(Duration.ofSeconds(10));
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");

    assertThat(untilStreamAfter(t.clock, t.transport, 7)).isAtMost(Duration.ofMillis(1210));
  }

  @Test
  void backoff_doesNotResetMerelyBecauseAStreamWasOpened() {
    t.start();
    List<Duration> waits = new ArrayList<>();

    // The server takes every stream and ends it cleanly half a second later, delivering nothing.
    for (int attempt = 0; attempt < 6; attempt++) {
      t.clock.advance(Duration.ofMillis(500));
      t.stream().complete();
      waits.add(untilStreamAfter(t.clock, t.transport, attempt + 1));
    }

    assertThat(waits.get(5)).isAtLeast(Duration.ofMillis((long) (1000 * Math.pow(1.6, 5) * 0.8)));
    assertThat(t.listener.states()).doesNotContain(BridgeState.CONNECTED);
  }

  @Test
  void streamEndedByServerAfterConnecting_isADisconnect_andReconnects() {
    EngramBridge bridge = t.start();
    t.stream().emitRemoval("1", "p1");

    t.stream().complete();

    assertThat(bridge.state()).isEqualTo(BridgeState.BACKING_OFF);
    assertThat(t.listener.streamsClosed()).isEqualTo(1);
    assertThat(untilStreamAfter(t.clock, t.transport, 1)).isAtMost(Duration.ofMillis(1210));
    assertThat(QuietLogs.linesWith("INFO", "ended by the server")).hasSize(1);
  }

  @Test
  void cancelledByServer_isRetriedLikeAnyDisconnect() {
    EngramBridge bridge = t.start();
    t.stream().emitRemoval("1", "p1");

    t.stream().fail(FailureKind.RETRYABLE, "CANCELLED");

    assertThat(bridge.state()).isEqualTo(BridgeState.BACKING_OFF);
    untilStreamAfter(t.clock, t.transport, 1);
    assertThat(t.transport.streamCount()).isEqualTo(2);
  }

  @Test
  void authFailure_waitsTheCap_reportsAuthFailed_andWarnsOncePerStateChange() {
    EngramBridge bridge = t.start();

    t.stream().fail(FailureKind.AUTHENTICATION, "UNAUTHENTICATED");
    assertThat(bridge.state()).isEqualTo(BridgeState.AUTH_FAILED);
    t.clock.advance(Duration.ofMillis(29_999));
    assertThat(t.transport.openCalls()).isEqualTo(1);
    t.clock.advance(Duration.ofMillis(1));
    assertThat(t.transport.openCalls()).isEqualTo(2);

    for (int retry = 0; retry < 4; retry++) {
      t.stream().fail(FailureKind.AUTHENTICATION, "UNAUTHENTICATED");
      assertThat(untilStreamAfter(t.clock, t.transport, 2 + retry))
          .isEqualTo(Duration.ofSeconds(30));
    }
    assertThat(QuietLogs.linesWith("WARN", "refused the credentials")).hasSize(1);

    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    assertThat(bridge.state()).isEqualTo(BridgeState.BACKING_OFF);
    untilStreamAfter(t.clock, t.transport, 6);
    t.stream().fail(FailureKind.AUTHENTICATION, "UNAUTHENTICATED");

    assertThat(bridge.state()).isEqualTo(BridgeState.AUTH_FAILED);
    assertThat(QuietLogs.linesWith("WARN", "refused the credentials")).hasSize(2);
    assertThat(QuietLogs.linesWith("WARN", "status=UNAVAILABLE")).hasSize(1);
  }

  @Test
  void sameFailureOverAndOver_warnsOnce_notPerRetry() {
    t.start();

    for (int attempt = 0; attempt < 10; attempt++) {
      t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
      untilStreamAfter(t.clock, t.transport, attempt + 1);
    }

    assertThat(QuietLogs.linesWith("WARN", "event stream failed")).hasSize(1);
    assertThat(QuietLogs.linesWith("INFO", "event stream")).isEmpty();
  }

  @Test
  void resume_lastEventIdSeen_isSentOnReconnect() {
    t.start();
    t.stream().emitRemoval("41", "p1");
    t.stream().emit(ServerEvent.of("42", 2, "p2", 0, "", Map.of()));

    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    untilStreamAfter(t.clock, t.transport, 1);

    assertThat(t.stream().resumeEventId()).isEqualTo("42");
    assertThat(t.listener.streamsOpened()).containsExactly(false, true).inOrder();
  }

  @Test
  void resumeUnsupported_dropsTheResumeId_reconnectsAtOnce_andReconcilesNow() {
    EngramBridge bridge = t.start();
    t.stream().emitRemoval("7", "p1");
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    untilStreamAfter(t.clock, t.transport, 1);
    assertThat(t.stream().resumeEventId()).isEqualTo("7");
    int syncsBefore = t.transport.syncCount();
    int resetsBefore = t.transport.resetConnectBackoffCalls();

    t.stream().fail(FailureKind.RESUME_UNSUPPORTED, "OUT_OF_RANGE");

    assertThat(t.transport.streamCount()).isEqualTo(3);
    assertThat(t.stream().resumeEventId()).isEmpty();
    assertThat(t.transport.syncCount()).isEqualTo(syncsBefore + 1);
    assertThat(t.transport.resetConnectBackoffCalls()).isEqualTo(resetsBefore + 1);
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTING);
  }

  @Test
  void resumeUnsupported_everyReconnect_warnsOnlyTheFirstTime() {
    t.start();
    for (int round = 0; round < 3; round++) {
      int streams = t.transport.streamCount();
      t.stream().emitRemoval(String.valueOf(10 + round), "p" + round);
      t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
      untilStreamAfter(t.clock, t.transport, streams);
      t.stream().fail(FailureKind.RESUME_UNSUPPORTED, "OUT_OF_RANGE");
    }

    assertThat(t.transport.streamCount()).isEqualTo(7);
    assertThat(QuietLogs.linesWith("WARN", "cannot resume the stream")).hasSize(1);
  }

  @Test
  void unimplemented_stopsStreaming_warnsOnce_andTheHeartbeatCarriesOn() {
    t.tracker.add("p1");
    t.transport.serverRemoved("p1");
    EngramBridge bridge = t.start();

    t.stream().fail(FailureKind.UNIMPLEMENTED, "UNIMPLEMENTED");
    t.clock.advance(Duration.ofMinutes(10));

    assertThat(bridge.state()).isEqualTo(BridgeState.HEARTBEAT_ONLY);
    assertThat(t.transport.openCalls()).isEqualTo(1);
    assertThat(t.transport.syncCount()).isAtLeast(9);
    assertThat(t.handler.projectIds()).containsExactly("p1");
    assertThat(QuietLogs.linesWith("WARN", "does not implement the event stream")).hasSize(1);
    assertThat(bridge.lastConfirmedFresh()).isPresent();
  }

  @Test
  void ignoredEvents_neverReachHandlers_areReported_andDoNotStopTheStream() {
    t.start();

    t.stream().emit(ServerEvent.of("1", 0, "p1", 0, "", Map.of()));
    t.stream().emit(ServerEvent.of("2", 2, "p2", 0, "", Map.of()));
    t.stream().emit(ServerEvent.of("3", 99, "p3", 0, "", Map.of()));
    t.stream().emit(ServerEvent.removal("4", "", "no project"));
    t.stream().emitRemoval("5", "p5");

    assertThat(t.handler.projectIds()).containsExactly("p5");
    assertThat(t.listener.ignored()).containsExactly(
        "1: not a removal (UNSPECIFIED)",
        "2: not a removal (CREATED)",
        "3: unknown event type 99",
        "4: no project id").inOrder();
    assertThat(t.listener.eventsReceived()).isEqualTo(5);
    assertThat(t.stream().requested()).isEqualTo(TestBridge.WINDOW + 5);
    assertThat(t.stream().isOpen()).isTrue();
  }

  @Test
  void openThatThrows_isAFailedAttempt_retriedWithBackoff() {
    t.transport.throwOnNextOpen(new IllegalStateException("channel shut down"));
    EngramBridge bridge = t.start();

    assertThat(bridge.state()).isEqualTo(BridgeState.BACKING_OFF);
    assertThat(t.transport.streamCount()).isEqualTo(0);
    untilStreamAfter(t.clock, t.transport, 1);

    assertThat(t.transport.streamCount()).isEqualTo(1);
    t.stream().emitRemoval("1", "p1");
    assertThat(t.handler.projectIds()).containsExactly("p1");
  }

  @Test
  void stateChanges_areReportedToListeners() {
    t.start();
    t.stream().emitRemoval("1", "p1");
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    untilStreamAfter(t.clock, t.transport, 1);

    assertThat(t.listener.states()).containsExactly(
        BridgeState.CONNECTING, BridgeState.CONNECTED, BridgeState.BACKING_OFF,
        BridgeState.CONNECTING).inOrder();
  }
}
