package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.GrpcTransport;
import dev.engram.bridge.grpc.GrpcTransportProvider;
import dev.engram.bridge.grpc.TransportChannels;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.RecordingChannel;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Who closes what when a bridge closes: a channel the transport built is shut down with it; a
 * channel the user handed in is left open and usable.
 *
 * <p>{@code EngramBridge.Builder.transport(...)} documents that the bridge closes a transport it
 * is given. So a user who hands in their own channel keeps it by wrapping it with {@link
 * GrpcTransport#forChannel}, whose {@code close()} never shuts the channel down.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeChannelOwnershipTest {
  private static final Duration DEADLINE = Duration.ofSeconds(2);

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void close_shutsDownAChannelTheTransportBuilt(Session.Kind kind) {
    try (Session session = Session.on(kind)) {
      GrpcTransport transport = (GrpcTransport) new GrpcTransportProvider().create(
          TransportSettings.builder(ServerUrl.parse(session.server.url())).build());
      ManagedChannel channel = TransportChannels.channelOf(transport);
      session.startBridge(transport);
      session.awaitStreamAndFirstSync();

      session.bridge().close();

      assertThat(channel.isShutdown()).isTrue();
      assertThat(channel.isTerminated()).isTrue();
      session.server.awaitOpenStreams(0, WAIT);
    }
  }

  @Test
  void close_leavesAHandedInChannelOpenAndUsable_thoughItClosesTheTransport() throws Exception {
    try (Session session = Session.on(Session.Kind.IN_PROCESS);
        UserChannel user = UserChannel.to(session.server)) {
      session.server.addProjects("p1");
      session.tracker.add("p1");
      GrpcTransport transport = GrpcTransport.forChannel(user.channel, Optional.empty());
      session.startBridge(transport);
      session.awaitStreamAndFirstSync();
      session.server.removeProject("p1", "over a handed-in channel");
      session.handler.await(1, WAIT);

      session.bridge().close();

      // The channel is the user's: not shut down, and its stream of the bridge was ended.
      assertThat(user.channel.actions()).doesNotContain(RecordingChannel.SHUTDOWN);
      assertThat(user.channel.isShutdown()).isFalse();
      session.server.awaitOpenStreams(0, WAIT);
      // The transport was the bridge's to close: it refuses new work.
      TransportException refused = syncFailure(transport.sync(
          SyncRequest.of(session.bridge().clientId(), List.of()), DEADLINE));
      assertThat(refused.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(refused.status()).isEqualTo("CANCELLED");
      assertThrows(IllegalStateException.class, () -> transport.openEventStream(
          session.bridge().clientId(), "", new RecordingObserver()));
      // And the channel still carries calls, for this user's next transport or anything else.
      try (GrpcTransport next = GrpcTransport.forChannel(user.channel, Optional.empty())) {
        SyncResult result = next.sync(SyncRequest.of("another-client", List.of("p1", "p9")),
            DEADLINE).get(5, TimeUnit.SECONDS);
        assertThat(result.removed()).containsExactly("p1", "p9");
      }
    }
  }

  @Test
  void close_ofABridgeThatNeverStarted_stillShutsDownTheChannelTheTransportBuilt() {
    try (Session session = Session.on(Session.Kind.IN_PROCESS)) {
      GrpcTransport transport = (GrpcTransport) new GrpcTransportProvider().create(
          TransportSettings.builder(ServerUrl.parse(session.server.url()))
              .token(Secrets.token()).build());
      ManagedChannel channel = TransportChannels.channelOf(transport);

      QuickBridge.builder(session.config().build(), session.recorder).transport(transport)
          .build().close();

      assertThat(channel.isTerminated()).isTrue();
      assertThat(session.server.streamOpens()).isEmpty();
      assertThat(session.server.syncRequests()).isEmpty();
    }
  }

  private static TransportException syncFailure(CompletableFuture<SyncResult> future) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> future.get(5, TimeUnit.SECONDS));
    return (TransportException) e.getCause();
  }
}
