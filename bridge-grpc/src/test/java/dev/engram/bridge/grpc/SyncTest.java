package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.grpc.testing.Connection;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import dev.engram.bridge.grpc.testing.TestEngramServer.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NoSecretsInLogs.class)
class SyncTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sync_sendsIdsAndClientId_andReturnsRemovedUnknownAndServerTime(Kind kind)
      throws Exception {
    try (Connection connection = Connection.open(kind)) {
      SyncResult result = connection.transport()
          .sync(SyncRequest.of("client-3", List.of("live-1", "gone-2", "stale-3", "gone-4")),
              Duration.ofSeconds(5))
          .get(10, TimeUnit.SECONDS);

      TestEngramServer.RecordedSync received = connection.server().awaitSync();
      assertThat(received.request().getClientId()).isEqualTo("client-3");
      assertThat(received.request().getLocalProjectIdsList())
          .containsExactly("live-1", "gone-2", "stale-3", "gone-4").inOrder();
      assertThat(result).isEqualTo(SyncResult.of(
          List.of("gone-2", "gone-4"), List.of("stale-3"), TestEngramServer.SERVER_TIME_UNIX_MS));
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sync_ofTenThousandIds_goesThroughInOneCall(Kind kind) throws Exception {
    List<String> ids = IntStream.range(0, 10_000).mapToObj(i -> "gone-project-" + i).toList();
    try (Connection connection = Connection.open(kind)) {
      SyncResult result = connection.transport()
          .sync(SyncRequest.of("c", ids), Duration.ofSeconds(5))
          .get(10, TimeUnit.SECONDS);

      assertThat(result.removed()).containsExactlyElementsIn(ids).inOrder();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sync_whenServerNeverAnswers_failsRetryableAtTheDeadline(Kind kind) throws Exception {
    try (Connection connection = Connection.open(kind)) {
      // Connect first, so that the deadline measures the server's silence, not connecting.
      connection.transport().sync(SyncRequest.of("warm-up", List.of()), Duration.ofSeconds(5))
          .get(10, TimeUnit.SECONDS);
      connection.server().awaitSync();
      connection.server().stallSyncs();

      CompletableFuture<SyncResult> future = connection.transport()
          .sync(SyncRequest.of("c", List.of("a")), Duration.ofMillis(300));
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));

      TransportException failure = (TransportException) e.getCause();
      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("DEADLINE_EXCEEDED");
      assertThat(connection.server().awaitSync().request().getClientId()).isEqualTo("c");
    }
  }

  @Test
  void sync_cancelledByTheCaller_cancelsTheCall() throws Exception {
    try (Connection connection = Connection.open(Kind.IN_PROCESS)) {
      connection.server().stallSyncs();
      CompletableFuture<SyncResult> future = connection.transport()
          .sync(SyncRequest.of("c", List.of("a")), Duration.ofSeconds(30));
      connection.server().awaitSync();

      future.cancel(false);

      assertThat(future.isCancelled()).isTrue();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> connection.server().syncCancellations() == 1);
    }
  }

  @Test
  void sync_whenNoServerListens_failsRetryableUnavailable() throws Exception {
    TestEngramServer server = TestEngramServer.loopback();
    try (Connection connection = Connection.open(server, settings -> {})) {
      server.stop();

      TransportException failure = StatusMappingTest.syncFailure(connection.transport());

      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("UNAVAILABLE");
      assertThat(failure).hasMessageThat().contains("127.0.0.1");
    }
  }
}
