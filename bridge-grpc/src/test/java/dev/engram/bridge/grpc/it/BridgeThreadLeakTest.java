package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestCertificates;
import dev.engram.bridge.testkit.FakeEngramServer;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * After {@code close()} returns, no thread of the bridge ({@code engram-bridge-*}), of its grpc
 * transport ({@code engram-grpc-*}) or of gRPC's shared pools ({@code grpc-*}) that was not
 * there before is still alive. The fake server's threads ({@code fake-engram-*}) are not the
 * bridge's and are left to the server's own close.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeThreadLeakTest {

  /** How the bridge reaches the server. */
  enum Link {
    IN_PROCESS,
    LOOPBACK,
    TLS;

    Session session() throws Exception {
      switch (this) {
        case IN_PROCESS:
          return Session.on(Session.Kind.IN_PROCESS);
        case LOOPBACK:
          return Session.on(Session.Kind.LOOPBACK);
        default:
          return Session.on(FakeEngramServer.builder().onLoopback()
              .tls(TestCertificates.server().keyManagers()).build());
      }
    }

    BridgeConfig.Builder config(Session session) throws Exception {
      BridgeConfig.Builder config = session.config().token(Secrets.token());
      return this == TLS
          ? config.trustedCertificates(TestCertificates.server().certificatePem())
          : config;
    }
  }

  @ParameterizedTest
  @EnumSource(Link.class)
  void close_leavesNoThreadOfTheBridgeOrTransportBehind(Link link) throws Exception {
    Set<String> before = LiveThreads.names();
    try (Session session = link.session()) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      session.startBridge(link.config(session).build());
      session.awaitStreamAndFirstSync();
      session.server.removeProject("p1", "exercise the handler pool");
      session.handler.await(1, WAIT);
      Set<String> running = LiveThreads.names();

      session.bridge().close();

      // The check would see the threads if they were left: they were there a moment ago.
      assertThat(running.stream().anyMatch(name -> name.startsWith("engram-bridge-"))).isTrue();
      assertThat(running.stream().anyMatch(name -> name.startsWith("engram-grpc-"))).isTrue();
      assertThat(before).containsAtLeastElementsIn(LiveThreads.names());
    }
  }

  @Test
  void close_whileReconnectingToAStoppedServer_leavesNoThreadBehind() {
    Set<String> before = LiveThreads.names();
    try (Session session = Session.on(Session.Kind.LOOPBACK)) {
      session.startBridge(config -> config);
      session.awaitStreamAndFirstSync();
      session.server.stop();
      session.recorder.awaitState(BridgeState.BACKING_OFF);

      session.bridge().close();

      assertThat(session.bridge().state()).isEqualTo(BridgeState.STOPPED);
      assertThat(before).containsAtLeastElementsIn(LiveThreads.names());
    }
  }

  @Test
  void close_whileAuthFailed_leavesNoThreadBehind() {
    Set<String> before = LiveThreads.names();
    try (Session session = Session.on(
        Session.Kind.IN_PROCESS.server().token("the-servers-own-token").build())) {
      session.startBridge(config -> config.token(Secrets.token()));
      session.recorder.awaitState(BridgeState.AUTH_FAILED);

      session.bridge().close();

      assertThat(before).containsAtLeastElementsIn(LiveThreads.names());
    }
  }
}
