package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.grpc.GrpcTransport;
import dev.engram.bridge.grpc.testing.LogCapture;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The two places where the core meets the grpc transport's edge cases: a transport that refuses
 * to open a stream because it was closed ({@code IllegalStateException}), and transport
 * callbacks already under way when the core cancels the stream.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeTransportSeamTest {
  private static final String STREAM_LOOP = "dev.engram.bridge.core.internal.StreamLoop";

  @Test
  void transportClosedWhileTheBridgeWaitsToReconnect_isRetriedAtBackoff_withOneWarning()
      throws Exception {
    // Long enough to close the transport while the bridge waits; steady, so it stays short.
    BackoffPolicy steady = BackoffPolicy.builder().initialDelay(Duration.ofMillis(300))
        .multiplier(1.0).maxDelay(Duration.ofMillis(300)).jitter(0).build();
    try (Session session = Session.on(Session.Kind.IN_PROCESS);
        UserChannel user = UserChannel.to(session.server)) {
      GrpcTransport transport = GrpcTransport.forChannel(user.channel, Optional.empty());
      session.startBridge(QuickBridge.builder(session.config().backoff(steady).build(),
          session.recorder).transport(transport));
      session.awaitStreamAndFirstSync();
      int mark = LogCapture.mark();

      // The stream ends; while the bridge waits to reconnect, its transport is closed under it.
      session.server.endStreams(Status.UNAVAILABLE.withDescription("scripted drop"));
      session.recorder.awaitState(BridgeState.BACKING_OFF);
      transport.close();

      // Every later attempt is refused by the closed transport: the core counts each as a
      // retryable failure and keeps its backoff, rather than letting the exception escape.
      Awaitility.await().atMost(WAIT).until(() -> session.recorder.closed().size() >= 4);
      List<BridgeRecorder.Closed> refusals =
          session.recorder.closed().subList(1, session.recorder.closed().size());
      for (BridgeRecorder.Closed refusal : refusals) {
        assertThat(refusal.kind()).isEqualTo(FailureKind.RETRYABLE);
        assertThat(refusal.status()).isEqualTo("CLIENT_ERROR");
        assertThat(refusal.failure()).hasMessageThat().contains("closed");
      }
      assertThat(session.bridge().state()).isAnyOf(
          BridgeState.BACKING_OFF, BridgeState.CONNECTING);
      List<LogCapture.Line> warnings = LogCapture.matching(mark,
          line -> line.logger().equals(STREAM_LOOP) && line.level().equals("WARN"));
      assertThat(warnings.stream().map(line -> line.keyValues().get("status")).toList())
          .containsExactly("UNAVAILABLE", "CLIENT_ERROR").inOrder();
      assertThat(LogCapture.matching(mark, line -> line.level().equals("ERROR"))).isEmpty();
      // Nothing reached the server after the close.
      assertThat(session.server.totalStreamsOpened()).isEqualTo(1);

      session.bridge().close();
      assertThat(session.bridge().state()).isEqualTo(BridgeState.STOPPED);
    }
  }

  @Test
  void close_whileRemovalsPourIn_noHandlerOrListenerCallFollowsCloseReturning()
      throws Exception {
    List<String> ids = IntStream.range(0, 2_000).mapToObj(i -> "p" + i).toList();
    try (Session session = Session.on(
        Session.Kind.LOOPBACK.server().subscriberBuffer(ids.size()).build())) {
      session.server.addProjects(ids);
      session.tracker.add(ids);
      session.startBridge(config -> config);
      session.awaitStreamAndFirstSync();
      int mark = LogCapture.mark();
      CompletableFuture<Void> pouring = CompletableFuture.runAsync(() -> {
        for (String id : ids) {
          session.server.removeProject(id, "bulk");
        }
      });
      session.handler.await(50, WAIT);

      // Closing while the transport is delivering: callbacks already under way when the core
      // cancels its stream must reach no handler and no listener once close() has returned.
      session.bridge().close();
      int handled = session.handler.count();
      int received = session.recorder.events().size();

      pouring.get(10, TimeUnit.SECONDS);
      session.handler.assertNoMoreThan(handled, Duration.ofMillis(300));
      assertThat(session.recorder.events()).hasSize(received);
      assertThat(handled).isLessThan(ids.size());
      assertThat(Set.copyOf(session.handler.projectIds())).hasSize(handled);
      assertThat(LogCapture.matching(mark, line -> line.level().equals("ERROR"))).isEmpty();
    }
  }
}
