package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.RecordedStreamOpen;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resuming the stream after the last event seen: refused by a server without replay (the real
 * server's behaviour), accepted by one with it.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeResumeTest {
  /** So long that no scheduled reconciliation runs during a test: any that does was asked for. */
  private static final Duration NEVER = Duration.ofMinutes(10);
  /** A reconnect wait long enough to act on the server while the bridge waits. */
  private static final BackoffPolicy STEADY_300_MS = BackoffPolicy.builder()
      .initialDelay(Duration.ofMillis(300)).multiplier(1.0).maxDelay(Duration.ofMillis(300))
      .jitter(0).build();

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void resume_refusedWithOutOfRange_opensAFreshStream_andReconcilesAtOnce(Session.Kind kind) {
    try (Session session = Session.on(kind)) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      session.startBridge(config -> config
          .heartbeatInterval(NEVER).reconnectSyncDelayMax(NEVER).backoff(STEADY_300_MS));
      session.awaitStreamAndFirstSync();
      String lastEventId = session.server.removeProject("p1", "first").getEventId();
      session.handler.await(1, WAIT);

      session.server.endStreams(Status.UNAVAILABLE.withDescription("scripted drop"));
      // Gone while no stream is open: without replay only a reconciliation can find it.
      assertThat(session.server.openStreamCount()).isEqualTo(0);
      session.server.removeProject("p2", "while disconnected");

      ProjectRemoval missed = session.handler.await(2, WAIT).get(1);
      assertThat(missed.projectId()).isEqualTo("p2");
      assertThat(missed.source()).isEqualTo(RemovalSource.HEARTBEAT);
      List<RecordedStreamOpen> opens = takeStreamOpens(session.server, 3);
      assertThat(opens.get(0).isResume()).isFalse();
      assertThat(opens.get(1).sinceEventId()).isEqualTo(lastEventId);
      assertThat(opens.get(1).outcome()).isEqualTo(Status.Code.OUT_OF_RANGE);
      assertThat(opens.get(2).isResume()).isFalse();
      assertThat(opens.get(2).outcome()).isEqualTo(Status.Code.OK);
      assertThat(session.recorder.closed().stream().map(BridgeRecorder.Closed::kind))
          .containsExactly(FailureKind.RETRYABLE, FailureKind.RESUME_UNSUPPORTED).inOrder();
      // The fresh stream came at once, not after the 300 ms backoff, and one reconciliation ran
      // besides the one at start: the one the refused resume asked for.
      List<BridgeRecorder.Opened> opened = session.recorder.opened();
      BridgeRecorder.Closed refused = session.recorder.closed().get(1);
      assertThat(Duration.ofNanos(opened.get(2).atNanos() - refused.atNanos()))
          .isLessThan(Duration.ofMillis(300));
      assertThat(session.server.syncRequestCount()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void resume_withReplayOn_continuesAfterTheLastEvent_andLosesNothing(Session.Kind kind) {
    try (Session session = Session.on(kind.server().replay(true).build())) {
      session.server.addProjects("p1", "p2", "p3");
      session.tracker.add("p1", "p2", "p3");
      session.startBridge(config -> config
          .heartbeatInterval(NEVER).reconnectSyncDelayMax(NEVER).backoff(STEADY_300_MS));
      session.awaitStreamAndFirstSync();
      String lastEventId = session.server.removeProject("p1", "first").getEventId();
      session.handler.await(1, WAIT);

      session.server.endStreams(Status.UNAVAILABLE.withDescription("scripted drop"));
      assertThat(session.server.openStreamCount()).isEqualTo(0);
      String second = session.server.removeProject("p2", "while disconnected").getEventId();
      String third = session.server.removeProject("p3", "while disconnected").getEventId();

      List<ProjectRemoval> removals = session.handler.await(3, WAIT);
      assertThat(removals.stream().map(ProjectRemoval::projectId).toList())
          .containsExactly("p1", "p2", "p3").inOrder();
      assertThat(removals.stream().map(ProjectRemoval::source).distinct().toList())
          .containsExactly(RemovalSource.STREAM);
      assertThat(removals.get(1).eventId()).hasValue(second);
      assertThat(removals.get(2).eventId()).hasValue(third);
      List<RecordedStreamOpen> opens = takeStreamOpens(session.server, 2);
      assertThat(opens.get(1).sinceEventId()).isEqualTo(lastEventId);
      assertThat(opens.get(1).outcome()).isEqualTo(Status.Code.OK);
      assertThat(session.recorder.opened().get(1).resumed()).isTrue();
      assertThat(session.server.syncRequestCount()).isEqualTo(1);
    }
  }

  private static List<RecordedStreamOpen> takeStreamOpens(FakeEngramServer server, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> server.takeStreamOpen(WAIT))
        .toList();
  }
}
