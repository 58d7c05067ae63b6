package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertWithMessage;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.grpc.GrpcTransport;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A transport closed under a running bridge (the user closes the transport they handed in, or
 * one transport is shared by two bridges): the bridge must hear that its stream is gone, not sit
 * on a dead stream and call itself connected and fresh.
 */
class TransportClosedUnderARunningBridgeTest {

  @Test
  void transportClosedUnderAnOpenStream_theBridgeNoticesTheStreamIsGone() throws Exception {
    try (Session session = Session.on(Session.Kind.IN_PROCESS);
        UserChannel user = UserChannel.to(session.server)) {
      GrpcTransport transport = GrpcTransport.forChannel(user.channel, Optional.empty());
      session.startBridge(transport);
      session.awaitStreamAndFirstSync();
      Optional<Instant> freshBefore = session.bridge().lastConfirmedFresh();

      transport.close();
      session.server.awaitOpenStreams(0, WAIT);

      boolean noticed;
      try {
        // Longer than the 1 s stable period that makes the bridge claim it is connected.
        Awaitility.await().atMost(Duration.ofSeconds(2))
            .until(() -> !session.recorder.closed().isEmpty());
        noticed = true;
      } catch (ConditionTimeoutException e) {
        noticed = false;
      }
      Optional<Instant> fresh = session.bridge().lastConfirmedFresh();
      BridgeState state = session.bridge().state();
      session.bridge().close();

      assertWithMessage("the bridge heard that its stream ended (state now %s)", state)
          .that(noticed).isTrue();
      assertWithMessage("the bridge claims to be connected to a server that holds no stream")
          .that(state).isNotEqualTo(BridgeState.CONNECTED);
      assertWithMessage("the bridge marked itself fresh after its stream was gone")
          .that(fresh).isEqualTo(freshBefore);
    }
  }
}
