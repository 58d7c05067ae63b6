package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.core.testing.Waits.advanceUntil;
import static dev.engram.bridge.core.testing.Waits.untilStreamAfter;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectTracker;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.core.testing.FakeTransport;
import dev.engram.bridge.core.testing.MutableTracker;
import dev.engram.bridge.core.testing.QuietLogs;
import dev.engram.bridge.core.testing.RecordingListener;
import dev.engram.bridge.core.testing.TestBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeartbeatTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final TestBridge t = new TestBridge();

  @Test
  void firstSync_runsWithinTheInitialDelay_withTheUnionOfTrackersAndTheClientId() {
    t.tracker.add("b", "a");
    EngramBridge bridge = t.builder(TestBridge.config().build())
        .addTracker(new MutableTracker("c", "a", ""))
        .build();
    bridge.start();

    Duration waited = advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);

    assertThat(waited).isAtMost(Duration.ofSeconds(5));
    FakeTransport.SyncCall call = t.transport.syncCalls().get(0);
    assertThat(call.request().clientId()).isEqualTo(bridge.clientId());
    assertThat(call.request().localProjectIds()).containsExactly("a", "b", "c").inOrder();
    assertThat(call.deadline()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void streamConnectingRightAfterStart_doesNotAddASecondEarlySync() {
    t.start();
    t.stream().emitRemoval("1", "p1");

    t.clock.advance(Duration.ofSeconds(5));

    assertThat(t.transport.syncCount()).isEqualTo(1);
  }

  @Test
  void syncs_repeatEveryIntervalWithinTheJitter() {
    t.start();
    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);
    List<Duration> gaps = new ArrayList<>();

    for (int n = 2; n <= 11; n++) {
      int expected = n;
      gaps.add(advanceUntil(t.clock, Duration.ofMinutes(2),
          () -> t.transport.syncCount() == expected));
    }

    for (Duration gap : gaps) {
      assertThat(gap).isAtLeast(Duration.ofSeconds(55));
      assertThat(gap).isAtMost(Duration.ofSeconds(65).plus(Duration.ofMillis(10)));
    }
    assertThat(new HashSet<>(gaps).size()).isGreaterThan(5);
  }

  @Test
  void reconnect_triggersASyncWithinTheReconnectDelay_notAtTheNextTick() {
    t.start();
    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);
    t.clock.advance(Duration.ofSeconds(10));
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    untilStreamAfter(t.clock, t.transport, 1);
    assertThat(t.transport.syncCount()).isEqualTo(1);

    t.stream().emitRemoval("2", "p2");
    Duration waited = advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 2);

    assertThat(waited).isAtMost(Duration.ofSeconds(5));
  }

  @Test
  void reconnect_toAQuietServer_syncsWithinTheReconnectDelay_withoutWaitingForProof() {
    EngramBridge bridge = t.start();
    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);
    t.clock.advance(Duration.ofSeconds(5));
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    untilStreamAfter(t.clock, t.transport, 1);

    // The new stream stays open and silent: it is not yet CONNECTED (that takes 10 s).
    Duration waited = advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 2);

    assertThat(waited).isAtMost(Duration.ofSeconds(5));
    assertThat(bridge.state()).isEqualTo(BridgeState.CONNECTING);
  }

  @Test
  void reconnectAttempts_thatFailAtOnce_scheduleNoSyncOfTheirOwn() {
    t.start();
    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);
    t.clock.advance(Duration.ofSeconds(5));

    // The server is down: every attempt for the next 40 s fails as soon as it opens.
    for (int i = 0; i < 8; i++) {
      t.transport.failNextOpen(FailureKind.RETRYABLE, "UNAVAILABLE");
    }
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    t.clock.advance(Duration.ofSeconds(40));

    // Only the periodic tick (60 s +- 5 s after the first) may have run, not one per attempt.
    assertThat(t.transport.openCalls()).isAtLeast(5);
    assertThat(t.transport.syncCount()).isAtMost(2);
  }

  @Test
  void manyIds_goInChunksOfTheChunkSize() {
    t.tracker.add("a", "b", "c", "d", "e", "f", "g", "h");
    t.start(TestBridge.config().syncChunkSize(3).build());

    advanceUntil(t.clock, MINUTE, () -> t.listener.syncs().size() == 1);

    assertThat(chunkSizes()).containsExactly(3, 3, 2).inOrder();
    assertThat(t.transport.syncCalls().get(2).request().localProjectIds())
        .containsExactly("g", "h").inOrder();
    assertThat(t.listener.syncs().get(0).localIds()).isEqualTo(8);
  }

  @Test
  void invalidArgument_halvesTheChunkWithinTheTick_andKeepsTheSmallerSize() {
    t.tracker.addAll(ids(8));
    t.transport.failNextSync(FailureKind.INVALID_ARGUMENT, "INVALID_ARGUMENT");
    t.start(TestBridge.config().syncChunkSize(8).syncChunkFloor(2).build());

    advanceUntil(t.clock, MINUTE, () -> t.listener.syncs().size() == 1);
    assertThat(chunkSizes()).containsExactly(8, 4, 4).inOrder();

    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 2);
    assertThat(chunkSizes()).containsExactly(8, 4, 4, 4, 4).inOrder();
    assertThat(QuietLogs.linesWith("WARN", "rejected a chunk")).hasSize(1);
    assertThat(t.listener.syncFailures()).isEmpty();
  }

  @Test
  void invalidArgument_atTheFloor_failsTheTick_andTheNextTickStartsAtTheFloor() {
    t.tracker.addAll(ids(4));
    t.transport.failNextSync(FailureKind.INVALID_ARGUMENT, "INVALID_ARGUMENT")
        .failNextSync(FailureKind.INVALID_ARGUMENT, "INVALID_ARGUMENT");
    t.start(TestBridge.config().syncChunkSize(4).syncChunkFloor(2).build());

    advanceUntil(t.clock, MINUTE, () -> t.listener.syncFailures().size() == 1);
    assertThat(chunkSizes()).containsExactly(4, 2).inOrder();
    assertThat(t.listener.syncFailures().get(0).kind()).isEqualTo(FailureKind.INVALID_ARGUMENT);

    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 1);
    assertThat(chunkSizes()).containsExactly(4, 2, 2, 2).inOrder();
  }

  @Test
  void hungCall_isEndedAtTheDeadlineByTheBridge_andLaterTicksStillRun() {
    t.tracker.add("p1");
    t.transport.hangNextSync();
    t.start(TestBridge.config().initialSyncDelayMax(Duration.ZERO).build());
    t.clock.runDueTasks();
    assertThat(t.transport.syncCount()).isEqualTo(1);
    CompletableFuture<SyncResult> hung = t.transport.syncCalls().get(0).future();

    t.clock.advance(Duration.ofMillis(9_999));
    assertThat(t.listener.syncFailures()).isEmpty();
    t.clock.advance(Duration.ofMillis(1));

    assertThat(t.listener.syncFailures()).hasSize(1);
    assertThat(t.listener.syncFailures().get(0).status()).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(hung.isCancelled()).isTrue();
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 1);
  }

  @Test
  void failingAndThrowingCalls_neverStopLaterTicks() {
    t.transport.failNextSync(FailureKind.RETRYABLE, "UNAVAILABLE")
        .throwOnNextSync(new IllegalStateException("transport bug"))
        .scriptNextSync(request -> CompletableFuture.failedFuture(new RuntimeException("odd")));
    t.start();

    advanceUntil(t.clock, Duration.ofMinutes(5), () -> t.listener.syncs().size() == 1);

    assertThat(t.listener.syncFailures()).hasSize(3);
    assertThat(t.listener.syncFailures().get(1).status()).isEqualTo("CLIENT_ERROR");
    // The call that threw returned no future, so the transport recorded only three.
    assertThat(t.transport.syncCount()).isEqualTo(3);
  }

  @Test
  void sameSyncFailureEveryTick_warnsOnce_andRecoveryIsLoggedOnce() {
    for (int i = 0; i < 4; i++) {
      t.transport.failNextSync(FailureKind.RETRYABLE, "UNAVAILABLE");
    }
    t.start();

    advanceUntil(t.clock, Duration.ofMinutes(6), () -> t.listener.syncs().size() == 1);

    assertThat(QuietLogs.linesWith("WARN", "reconciliation failed")).hasSize(1);
    assertThat(QuietLogs.linesWith("INFO", "reconciliation works again")).hasSize(1);
  }

  @Test
  void calls_neverOverlap_aTriggerDuringACallRunsOnceAfterIt() {
    t.transport.hangNextSync();
    t.start();
    advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);

    // The stream reconnects now: its sync comes due (within 1.2 + 5 s) while the first call
    // hangs until its 10 s deadline.
    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    t.clock.advance(Duration.ofSeconds(7));
    assertThat(t.transport.openCalls()).isEqualTo(2);
    assertThat(t.transport.syncCount()).isEqualTo(1);

    t.clock.advance(Duration.ofMillis(3_500));
    assertThat(t.listener.syncFailures()).hasSize(1);
    assertThat(t.transport.syncCount()).isEqualTo(2);
    assertThat(t.listener.syncs()).hasSize(1);
  }

  @Test
  void removedIds_areDelivered_unknownIdsOnlyReported_onlyWhenTheSetChanges() {
    t.tracker.add("p1", "p2", "p3");
    t.transport.serverRemoved("p1").serverUnknown("p2");
    t.start();

    advanceUntil(t.clock, Duration.ofMinutes(3), () -> t.listener.syncs().size() == 3);

    assertThat(t.handler.projectIds()).containsExactly("p1");
    assertThat(t.handler.calls().get(0).source()).isEqualTo(RemovalSource.HEARTBEAT);
    assertThat(t.handler.calls().get(0).serverTime()).isPresent();
    assertThat(t.listener.unknownChanges()).containsExactly(Set.of("p2"));
    assertThat(QuietLogs.linesWith("WARN", "does not know", "sample=p2")).hasSize(1);
    RecordingListener.Sync sync = t.listener.syncs().get(2);
    assertThat(sync.localIds()).isEqualTo(3);
    assertThat(sync.removed()).isEqualTo(1);
    assertThat(sync.unknown()).isEqualTo(1);

    t.transport.serverUnknown();
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 4);
    assertThat(t.listener.unknownChanges()).containsExactly(Set.of("p2"), Set.of()).inOrder();
  }

  @Test
  void clockSkew_isReported_andWarnedOnceWhenItCrossesTheThreshold() {
    t.transport.serverClockOffset(Duration.ofSeconds(45));
    t.start();

    advanceUntil(t.clock, Duration.ofMinutes(4), () -> t.listener.syncs().size() == 3);
    assertThat(t.listener.syncs().get(0).skew()).isEqualTo(Duration.ofSeconds(45));
    assertThat(QuietLogs.linesWith("WARN", "clock differs")).hasSize(1);

    t.transport.serverClockOffset(Duration.ofSeconds(1));
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 4);
    assertThat(QuietLogs.linesWith("INFO", "back in step")).hasSize(1);

    t.transport.serverClockOffset(Duration.ofSeconds(-40));
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 5);
    assertThat(t.listener.syncs().get(4).skew()).isEqualTo(Duration.ofSeconds(-40));
    assertThat(QuietLogs.linesWith("WARN", "clock differs")).hasSize(2);
  }

  @Test
  void successfulSync_marksTheBridgeFresh() {
    t.transport.failNextOpen(FailureKind.UNIMPLEMENTED, "UNIMPLEMENTED");
    EngramBridge bridge = t.start(TestBridge.config().initialSyncDelayMax(Duration.ZERO).build());
    assertThat(bridge.lastConfirmedFresh()).isEmpty();

    t.clock.runDueTasks();
    assertThat(t.listener.syncs()).hasSize(1);
    assertThat(bridge.lastConfirmedFresh()).hasValue(t.clock.now());

    t.clock.advance(Duration.ofSeconds(66));
    assertThat(t.listener.syncs()).hasSize(2);
    assertThat(bridge.lastConfirmedFresh().get())
        .isAtLeast(dev.engram.bridge.testkit.FakeClock.DEFAULT_START.plusSeconds(55));
  }

  @Test
  void failedSync_doesNotMarkTheBridgeFresh() {
    t.transport.failNextSync(FailureKind.RETRYABLE, "UNAVAILABLE");
    EngramBridge bridge = t.start();

    advanceUntil(t.clock, MINUTE, () -> t.listener.syncFailures().size() == 1);

    assertThat(bridge.lastConfirmedFresh()).isEmpty();
  }

  @Test
  void throwingTracker_isSkippedAndLoggedOnce_andTheOthersStillCount() {
    t.tracker.add("p1");
    t.transport.serverRemoved("p1");
    EngramBridge bridge = t.builder(TestBridge.config().build())
        .addTracker(() -> {
          throw new IllegalStateException("tracker broke");
        })
        .build();
    bridge.start();

    advanceUntil(t.clock, Duration.ofMinutes(3), () -> t.listener.syncs().size() == 3);

    assertThat(t.transport.syncCalls().get(0).request().localProjectIds()).containsExactly("p1");
    assertThat(t.handler.projectIds()).containsExactly("p1");
    assertThat(QuietLogs.linesWith("WARN", "project tracker threw")).hasSize(1);
  }

  @Test
  void trackerFailingForOneTick_doesNotMakeItsRemovalsFireAgain() {
    MutableTracker steady = new MutableTracker("p1");
    AtomicInteger calls = new AtomicInteger();
    ProjectTracker flaky = () -> {
      // Broken on the second reconciliation only (each one reads trackers once).
      if (calls.incrementAndGet() == 2) {
        throw new IllegalStateException("flaky");
      }
      return Set.of("p1");
    };
    t.transport.serverRemoved("p1");
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addHandler(t.handler)
        .addTracker(steady)
        .addTracker(flaky)
        .build();
    bridge.start();
    advanceUntil(t.clock, MINUTE, () -> t.listener.syncs().size() == 1);
    assertThat(t.handler.projectIds()).containsExactly("p1");

    // The daemon dropped p1 from one tracker; the other still holds it but fails this tick.
    steady.remove("p1");
    advanceUntil(t.clock, Duration.ofMinutes(3), () -> t.listener.syncs().size() == 3);

    assertThat(t.handler.projectIds()).containsExactly("p1");
  }

  @Test
  void trackerSnapshots_emptyThenAfterConnectThenAfterDisconnect() {
    t.start();
    advanceUntil(t.clock, MINUTE, () -> t.transport.syncCount() == 1);
    assertThat(lastRequest().localProjectIds()).isEmpty();

    // A session for p1 connects to the daemon: the daemon starts tracking p1.
    t.tracker.add("p1");
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.transport.syncCount() == 2);
    assertThat(lastRequest().localProjectIds()).containsExactly("p1");

    // The session disconnects: p1 is no longer tracked.
    t.tracker.remove("p1");
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.transport.syncCount() == 3);
    assertThat(lastRequest().localProjectIds()).isEmpty();
  }

  @Test
  void trackerSnapshot_isIsolated_fromChangesWhileATickIsUnderway() {
    Set<String> live = new HashSet<>(List.of("a", "b", "c", "d"));
    t.transport.scriptNextSync(request -> {
      // The daemon changes its live set between the first and the second chunk.
      live.remove("d");
      live.add("z");
      return CompletableFuture.completedFuture(SyncResult.of(List.of(), List.of(), 0));
    });
    EngramBridge bridge = t.bare(TestBridge.config().syncChunkSize(2).build())
        .addTracker(() -> live)
        .build();
    bridge.start();

    advanceUntil(t.clock, MINUTE, () -> t.listener.syncs().size() == 1);

    assertThat(t.transport.syncCalls().get(1).request().localProjectIds())
        .containsExactly("c", "d").inOrder();
  }

  @Test
  void nextTick_afterTheSameLiveSetChangedInPlace_sendsTheNewSortedIds() {
    Set<String> live = new HashSet<>(List.of("d", "b", "a"));
    EngramBridge bridge = t.bare(TestBridge.config().syncChunkSize(2).build())
        .addTracker(() -> live)
        .build();
    bridge.start();
    advanceUntil(t.clock, MINUTE, () -> t.listener.syncs().size() == 1);
    int firstTickCalls = t.transport.syncCount();

    live.remove("b");
    live.add("e");
    live.add("c");
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 2);
    int secondTickCalls = t.transport.syncCount();
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 3);

    assertThat(chunksOf(0, firstTickCalls))
        .containsExactly(List.of("a", "b"), List.of("d")).inOrder();
    assertThat(chunksOf(firstTickCalls, secondTickCalls))
        .containsExactly(List.of("a", "c"), List.of("d", "e")).inOrder();
    assertThat(chunksOf(secondTickCalls, t.transport.syncCount()))
        .containsExactly(List.of("a", "c"), List.of("d", "e")).inOrder();
    assertThat(t.listener.syncs().get(1).localIds()).isEqualTo(4);
  }

  @Test
  void trackerThatStartsAndStopsFailing_isLeftOutOnlyWhileItFails() {
    AtomicInteger reading = new AtomicInteger();
    ProjectTracker flaky = () -> {
      if (reading.incrementAndGet() == 2) {
        throw new IllegalStateException("flaky");
      }
      return Set.of("b", "c");
    };
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addTracker(new MutableTracker("a", "b"))
        .addTracker(flaky)
        .build();
    bridge.start();

    advanceUntil(t.clock, Duration.ofMinutes(4), () -> t.listener.syncs().size() == 3);

    assertThat(chunksOf(0, 3)).containsExactly(
        List.of("a", "b", "c"), List.of("a", "b"), List.of("a", "b", "c")).inOrder();
  }

  private List<List<String>> chunksOf(int fromCall, int toCall) {
    List<List<String>> chunks = new ArrayList<>();
    for (FakeTransport.SyncCall call : t.transport.syncCalls().subList(fromCall, toCall)) {
      chunks.add(call.request().localProjectIds());
    }
    return chunks;
  }

  private SyncRequest lastRequest() {
    List<FakeTransport.SyncCall> calls = t.transport.syncCalls();
    return calls.get(calls.size() - 1).request();
  }

  private List<Integer> chunkSizes() {
    List<Integer> sizes = new ArrayList<>();
    for (FakeTransport.SyncCall call : t.transport.syncCalls()) {
      sizes.add(call.request().localProjectIds().size());
    }
    return sizes;
  }

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("p" + i);
    }
    return ids;
  }
}
