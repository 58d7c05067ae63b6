package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.grpc.testing.Connection;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import dev.engram.bridge.grpc.testing.TestEngramServer.Kind;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NoSecretsInLogs.class)
class BearerTokenTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void token_isSentOnTheStreamAndOnEverySync(Kind kind) throws Exception {
    try (Connection connection = Connection.open(
        TestEngramServer.start(kind), settings -> settings.token(Secrets.token()))) {
      connection.transport().openEventStream("c", "", new RecordingObserver());
      sync(connection);
      sync(connection);

      assertThat(connection.server().awaitStream().authorization())
          .isEqualTo("Bearer " + Secrets.TOKEN);
      assertThat(connection.server().awaitSync().authorization())
          .isEqualTo("Bearer " + Secrets.TOKEN);
      assertThat(connection.server().awaitSync().authorization())
          .isEqualTo("Bearer " + Secrets.TOKEN);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void noToken_noAuthorizationHeader(Kind kind) throws Exception {
    try (Connection connection = Connection.open(kind)) {
      connection.transport().openEventStream("c", "", new RecordingObserver());
      sync(connection);

      assertThat(connection.server().awaitStream().authorization()).isNull();
      assertThat(connection.server().awaitSync().authorization()).isNull();
    }
  }

  @Test
  void handedInChannel_getsTheTokenToo() throws Exception {
    try (TestEngramServer server = TestEngramServer.inProcess()) {
      ManagedChannel channel = InProcessChannelBuilder
          .forName(server.url().substring("inprocess://".length())).directExecutor().build();
      try (GrpcTransport transport = GrpcTransport.forChannel(channel, Optional.of(
          Secrets.token()))) {
        transport.openEventStream("c", "", new RecordingObserver());
        transport.sync(SyncRequest.of("c", List.of()), Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);

        assertThat(server.awaitStream().authorization()).isEqualTo("Bearer " + Secrets.TOKEN);
        assertThat(server.awaitSync().authorization()).isEqualTo("Bearer " + Secrets.TOKEN);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static void sync(Connection connection) throws Exception {
    connection.transport().sync(SyncRequest.of("c", List.of("x")), Duration.ofSeconds(5))
        .get(10, TimeUnit.SECONDS);
  }
}
