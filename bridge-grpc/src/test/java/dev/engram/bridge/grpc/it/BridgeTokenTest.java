package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.testkit.RecordedStreamOpen;
import dev.engram.bridge.testkit.RecordedSyncRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The bearer token on both kinds of call, as the fake server receives them from a bridge. */
@ExtendWith(NoSecretsInLogs.class)
class BridgeTokenTest {
  private static final String AUTHORIZATION = "authorization";

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void token_isSentOnTheStreamAndOnEverySync(Session.Kind kind) {
    try (Session session = Session.on(kind.server().token(Secrets.TOKEN).build())) {
      session.server.addProjects("p1");
      session.tracker.add("p1");
      session.startBridge(config -> config.token(Secrets.token()));

      RecordedStreamOpen open = session.server.takeStreamOpen(WAIT);
      RecordedSyncRequest sync = session.server.takeSyncRequest(WAIT);

      assertThat(open.header(AUTHORIZATION)).hasValue("Bearer " + Secrets.TOKEN);
      assertThat(open.headers().get(AUTHORIZATION)).hasSize(1);
      assertThat(sync.header(AUTHORIZATION)).hasValue("Bearer " + Secrets.TOKEN);
      assertThat(sync.headers().get(AUTHORIZATION)).hasSize(1);
      assertThat(sync.localProjectIds()).containsExactly("p1");
      assertThat(session.server.authFailures()).isEqualTo(0);
      // The server accepted both: the stream delivers, and the sync answered.
      session.server.removeProject("p1", "gone");
      assertThat(session.handler.await(1, WAIT).get(0).projectId()).isEqualTo("p1");
      assertThat(session.recorder.awaitSynced(1).get(0).localIds()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void noToken_sendsNoAuthorizationHeader_onEitherCall(Session.Kind kind) {
    try (Session session = Session.on(kind)) {
      session.startBridge(config -> config);

      RecordedStreamOpen open = session.server.takeStreamOpen(WAIT);
      RecordedSyncRequest sync = session.server.takeSyncRequest(WAIT);

      assertThat(open.headers()).isNotEmpty();
      assertThat(open.headers()).doesNotContainKey(AUTHORIZATION);
      assertThat(sync.headers()).isNotEmpty();
      assertThat(sync.headers()).doesNotContainKey(AUTHORIZATION);
    }
  }

  @Test
  void wrongToken_makesTheBridgeAuthFailed_andRetriesOnlyAtTheBackoffCap() {
    Duration cap = Duration.ofSeconds(1);
    BackoffPolicy backoff = BackoffPolicy.builder()
        .initialDelay(Duration.ofMillis(20)).maxDelay(cap).jitter(0.2).build();
    try (Session session = Session.on(
        Session.Kind.IN_PROCESS.server().token(Secrets.TOKEN).build())) {
      session.startBridge(config -> config
          .token(AccessToken.of("not-the-servers-token"))
          .backoff(backoff));

      session.recorder.awaitState(BridgeState.AUTH_FAILED);
      List<BridgeRecorder.Opened> opened = session.recorder.awaitOpened(2);
      BridgeRecorder.Closed first = session.recorder.closed().get(0);

      assertThat(first.kind()).isEqualTo(FailureKind.AUTHENTICATION);
      assertThat(first.status()).isEqualTo("UNAUTHENTICATED");
      // The retry waited the cap, not the 20 ms an ordinary failure would have.
      Duration waited = Duration.ofNanos(opened.get(1).atNanos() - first.atNanos());
      assertThat(waited).isAtLeast(cap);
      assertThat(waited).isLessThan(cap.multipliedBy(2));
      assertThat(session.recorder.syncFailures()).isNotEmpty();
      assertThat(session.recorder.syncFailures().get(0).kind())
          .isEqualTo(FailureKind.AUTHENTICATION);
      // Refused calls are counted, never recorded: nothing the bridge sent got through.
      await().atMost(WAIT).until(() -> session.server.authFailures() >= 3);
      assertThat(session.server.streamOpens()).isEmpty();
      assertThat(session.server.syncRequests()).isEmpty();
    }
  }
}
