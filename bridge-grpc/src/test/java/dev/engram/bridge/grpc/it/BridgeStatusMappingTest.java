package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.grpc.testing.LogCapture;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.RecordedStreamOpen;
import dev.engram.bridge.testkit.RecordedSyncRequest;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the bridge does for each status a server can end a call with, from the fake server's
 * status through the grpc transport's mapping to the core's reaction.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeStatusMappingTest {
  private static final String STREAM_LOOP = "dev.engram.bridge.core.internal.StreamLoop";

  static Stream<Arguments> retryableCodesOnEitherServer() {
    List<Arguments> rows = new ArrayList<>();
    for (Session.Kind kind : Session.Kind.values()) {
      for (Status.Code code : List.of(Status.Code.UNAVAILABLE, Status.Code.CANCELLED,
          Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED, Status.Code.DEADLINE_EXCEEDED)) {
        rows.add(Arguments.of(kind, code));
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("retryableCodesOnEitherServer")
  void streamEndedWith_retryableStatus_reconnects(Session.Kind kind, Status.Code code) {
    try (Session session = Session.on(kind)) {
      session.startBridge(config -> config);
      session.server.awaitTotalStreamsOpened(1, WAIT);

      session.server.endStreams(Status.fromCode(code).withDescription("scripted end"));

      session.server.awaitTotalStreamsOpened(2, WAIT);
      BridgeRecorder.Closed closed = session.recorder.closed().get(0);
      assertThat(closed.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(closed.status()).isEqualTo(code.name());
      assertThat(closed.failure()).hasMessageThat().contains("scripted end");
      assertThat(session.recorder.states()).contains(BridgeState.BACKING_OFF);
      assertThat(session.recorder.states()).doesNotContain(BridgeState.AUTH_FAILED);
      List<RecordedStreamOpen> opens = session.server.streamOpens();
      assertThat(opens.get(1).clientId()).isEqualTo(session.bridge().clientId());
      assertThat(opens.get(1).outcome()).isEqualTo(Status.Code.OK);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"UNAUTHENTICATED", "PERMISSION_DENIED"})
  void streamEndedWith_authenticationStatus_isAuthFailed_waitingAtTheBackoffCap(
      Status.Code code) {
    try (Session session = Session.on(Session.Kind.IN_PROCESS)) {
      session.startBridge(config -> config);
      session.server.awaitTotalStreamsOpened(1, WAIT);
      int mark = LogCapture.mark();

      session.server.endStreams(Status.fromCode(code).withDescription("scripted refusal"));

      session.recorder.awaitState(BridgeState.AUTH_FAILED);
      assertThat(session.bridge().state()).isEqualTo(BridgeState.AUTH_FAILED);
      BridgeRecorder.Closed closed = session.recorder.closed().get(0);
      assertThat(closed.kind()).isEqualTo(FailureKind.AUTHENTICATION);
      assertThat(closed.status()).isEqualTo(code.name());
      // The wait the core scheduled is the cap (1 s), not the 50 ms initial delay.
      LogCapture.Line warning = await().atMost(WAIT).until(
          () -> LogCapture.matching(mark, line -> line.logger().equals(STREAM_LOOP)
              && line.level().equals("WARN")), lines -> !lines.isEmpty()).get(0);
      assertThat(warning.keyValues()).containsEntry("kind", "AUTHENTICATION");
      assertThat(warning.keyValues()).containsEntry(
          "backoff_ms", String.valueOf(QuickBridge.BACKOFF.maxDelay().toMillis()));
      assertThat(session.server.totalStreamsOpened()).isEqualTo(1);
    }
  }

  @Test
  void streamRefusedAsUnimplemented_turnsTheStreamOff_andReconciliationGoesOn() {
    try (Session session = Session.on(Session.Kind.IN_PROCESS)) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      session.server.failNextStreams(1, Status.UNIMPLEMENTED.withDescription("no such method"));
      session.startBridge(config -> config.heartbeatInterval(Duration.ofSeconds(1)));

      session.recorder.awaitState(BridgeState.HEARTBEAT_ONLY);
      session.recorder.awaitSynced(1);
      session.server.removeProjectWithoutEvent("p1");

      ProjectRemoval removal = session.handler.await(1, WAIT).get(0);
      assertThat(removal.projectId()).isEqualTo("p1");
      assertThat(removal.source()).isEqualTo(RemovalSource.HEARTBEAT);
      session.recorder.awaitSynced(2);
      assertThat(session.bridge().state()).isEqualTo(BridgeState.HEARTBEAT_ONLY);
      assertThat(session.recorder.closed().get(0).kind()).isEqualTo(FailureKind.UNIMPLEMENTED);
      // One refused attempt, and no stream tried since.
      assertThat(session.server.streamOpens()).hasSize(1);
      assertThat(session.server.streamOpens().get(0).outcome())
          .isEqualTo(Status.Code.UNIMPLEMENTED);
      assertThat(session.recorder.opened()).hasSize(1);
    }
  }

  @Test
  void syncRejectedAsInvalidArgument_halvesTheChunk_untilEveryIdIsSent() {
    List<String> ids = IntStream.range(0, 10).mapToObj(i -> "p" + i).toList();
    try (Session session = Session.on(FakeEngramServer.builder().maxIdsPerSync(3).build())) {
      session.server.addProjects(ids.subList(2, ids.size()));
      session.tracker.add(ids);
      session.startBridge(config -> config.syncChunkSize(8).syncChunkFloor(2));

      BridgeRecorder.Synced synced = session.recorder.awaitSynced(1).get(0);

      List<RecordedSyncRequest> calls = session.server.syncRequests();
      assertThat(calls.stream().map(call -> call.localProjectIds().size()).toList())
          .containsExactly(8, 4, 2, 2, 2, 2, 2).inOrder();
      assertThat(calls.stream().skip(2).flatMap(call -> call.localProjectIds().stream())
          .toList()).containsExactlyElementsIn(ids);
      assertThat(synced.localIds()).isEqualTo(ids.size());
      assertThat(synced.removed()).isEqualTo(2);
      assertThat(session.handler.await(2, WAIT).stream().map(ProjectRemoval::projectId)
          .collect(Collectors.toSet())).isEqualTo(Set.of("p0", "p1"));
      assertThat(session.recorder.syncFailures()).isEmpty();
    }
  }
}
