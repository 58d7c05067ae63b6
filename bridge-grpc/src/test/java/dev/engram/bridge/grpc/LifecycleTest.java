package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.testing.TransportThreadsProbe.liveThreads;
import static dev.engram.bridge.grpc.testing.TransportThreadsProbe.names;
import static dev.engram.bridge.grpc.testing.TransportThreadsProbe.transportThreads;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.testing.Connection;
import dev.engram.bridge.grpc.testing.Events;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.OpenedStream;
import dev.engram.bridge.grpc.testing.RecordingChannel;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestCertificates;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import dev.engram.bridge.grpc.testing.TestEngramServer.Kind;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NoSecretsInLogs.class)
class LifecycleTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void close_shutsDownTheChannelItBuilt(Kind kind) {
    Connection connection = Connection.open(kind);
    GrpcTransport transport = connection.transport();
    ManagedChannel channel = transport.channel();

    connection.close();

    assertThat(channel.isShutdown()).isTrue();
    assertThat(channel.isTerminated()).isTrue();
  }

  @Test
  void close_leavesAHandedInChannelOpen_andUsable() throws Exception {
    try (TestEngramServer server = TestEngramServer.inProcess()) {
      ManagedChannel channel = inProcessChannel(server);
      try {
        GrpcTransport first = GrpcTransport.forChannel(channel, Optional.empty());
        sync(first);
        first.close();

        assertThat(channel.isShutdown()).isFalse();
        try (GrpcTransport second = GrpcTransport.forChannel(channel, Optional.empty())) {
          assertThat(sync(second).serverTimeUnixMs())
              .isEqualTo(TestEngramServer.SERVER_TIME_UNIX_MS);
        }
        assertThat(channel.isShutdown()).isFalse();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void close_ofHandedInChannelTransport_cancelsItsOpenStream_andTellsTheObserverOnce()
      throws Exception {
    try (TestEngramServer server = TestEngramServer.inProcess()) {
      ManagedChannel channel = inProcessChannel(server);
      try {
        GrpcTransport transport = GrpcTransport.forChannel(channel, Optional.empty());
        RecordingObserver observer = new RecordingObserver();
        transport.openEventStream("c", "", observer);
        OpenedStream opened = server.awaitStream();

        transport.close();

        opened.cancelledByClient().get(5, TimeUnit.SECONDS);
        assertThat(observer.awaitFailure().status()).isEqualTo("CANCELLED");
        assertThat(observer.callbacks()).containsExactly("onFailure");
        assertThat(channel.isShutdown()).isFalse();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void close_leavesNoTransportThreadBehind(Kind kind) throws Exception {
    Set<String> grpcBefore = names(liveThreads("grpc-"));
    try (TestEngramServer server = TestEngramServer.start(kind)) {
      GrpcTransport transport = GrpcTransport.create(
          TransportSettings.builder(ServerUrl.parse(server.url())).build());
      Set<Thread> started = exercise(transport, server);

      transport.close();

      assertThat(started).isNotEmpty();
      for (Thread thread : started) {
        assertThat(thread.isAlive()).isFalse();
      }
      assertThat(names(transportThreads())).isEmpty();
      // Nor did the transport fall back on gRPC's shared threads.
      assertThat(names(liveThreads("grpc-"))).isEqualTo(grpcBefore);
    }
  }

  @Test
  void close_overTls_leavesNoTransportThreadBehind() throws Exception {
    TestCertificates certificates = TestCertificates.server();
    try (TestEngramServer server = TestEngramServer.loopbackTls(certificates.keyManagers())) {
      GrpcTransport transport = GrpcTransport.create(
          TransportSettings.builder(ServerUrl.parse(server.url()))
              .trustedCertificates(certificates.certificatePem())
              .build());
      Set<Thread> started = exercise(transport, server);

      transport.close();

      assertThat(started).isNotEmpty();
      assertThat(names(transportThreads())).isEmpty();
    }
  }

  @Test
  void close_ofHandedInChannelTransport_leavesNoTransportThreadBehind() throws Exception {
    try (TestEngramServer server = TestEngramServer.inProcess()) {
      ManagedChannel channel = inProcessChannel(server);
      try {
        GrpcTransport transport = GrpcTransport.forChannel(channel, Optional.empty());
        Set<Thread> started = exercise(transport, server);

        transport.close();

        assertThat(started).isNotEmpty();
        assertThat(names(transportThreads())).isEmpty();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void close_withAStalledSync_failsItRetryable_andReturnsPromptly() throws Exception {
    try (Connection connection = Connection.open(Kind.IN_PROCESS)) {
      connection.server().stallSyncs();
      CompletableFuture<SyncResult> pending = connection.transport()
          .sync(SyncRequest.of("c", List.of("a")), Duration.ofMinutes(5));
      connection.server().awaitSync();

      connection.transport().close();

      assertThat(pending.isDone()).isTrue();
      ExecutionException e = assertThrows(ExecutionException.class, pending::get);
      TransportException failure = (TransportException) e.getCause();
      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("CANCELLED");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void close_withAnOpenStreamTheEngineStillHolds_failsItRetryably(Kind kind) throws Exception {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      observer.request(stream, 1);
      OpenedStream opened = connection.server().awaitStream();
      opened.send(Events.removal("1", "p"));
      observer.awaitEvent();

      connection.transport().close();

      opened.cancelledByClient().get(5, TimeUnit.SECONDS);
      TransportException failure = observer.awaitFailure();
      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("CANCELLED");
      assertThat(observer.callbacks()).containsExactly("onEvent", "onFailure").inOrder();
    }
  }

  @Test
  void close_isIdempotent_andLaterCallsAreRefused() throws Exception {
    try (Connection connection = Connection.open(Kind.IN_PROCESS)) {
      GrpcTransport transport = connection.transport();
      transport.close();
      transport.close();

      ExecutionException e = assertThrows(ExecutionException.class,
          () -> transport.sync(SyncRequest.of("c", List.of()), Duration.ofSeconds(1)).get());
      assertThat(((TransportException) e.getCause()).kind()).isEqualTo(FailureKind.RETRYABLE);
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> transport.openEventStream("c", "", new RecordingObserver()));
      assertThat(refused).hasMessageThat().contains("closed");
    }
  }

  @Test
  void close_fromInsideACallback_doesNotDeadlock_andStillEndsEveryThread() throws Exception {
    try (TestEngramServer server = TestEngramServer.inProcess()) {
      GrpcTransport transport = GrpcTransport.create(
          TransportSettings.builder(ServerUrl.parse(server.url())).build());
      RecordingObserver observer = new RecordingObserver();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      observer.onEachEvent(() -> {
        transport.close();
        closed.complete(null);
      });
      EventStream stream = transport.openEventStream("c", "", observer);
      observer.request(stream, 1);
      server.awaitStream().send(Events.removal("1", "p"));

      closed.get(10, TimeUnit.SECONDS);

      // The callback thread could not wait for itself; it ends once the callback returns.
      Awaitility.await().atMost(Duration.ofSeconds(5))
          .until(() -> transportThreads().isEmpty());
      // The observer still held the stream, so it hears once that the stream is gone.
      assertThat(observer.callbacks()).containsExactly("onEvent", "onFailure").inOrder();
    }
  }

  @Test
  void resetConnectBackoff_reachesTheChannel() {
    try (TestEngramServer server = TestEngramServer.inProcess()) {
      RecordingChannel channel = new RecordingChannel(inProcessChannel(server));
      try (GrpcTransport transport = GrpcTransport.forChannel(channel, Optional.empty())) {
        transport.resetConnectBackoff();
        transport.resetConnectBackoff();
      } finally {
        channel.shutdownNow();
      }

      assertThat(channel.count(RecordingChannel.RESET)).isEqualTo(2);
    }
  }

  @Test
  void resetConnectBackoff_afterServerRestartOnSamePort_reconnectsAtOnce() throws Exception {
    try (Connection connection = Connection.open(TestEngramServer.loopback(),
        settings -> settings.token(Secrets.token()))) {
      GrpcTransport transport = connection.transport();
      sync(transport);
      connection.server().stop();
      assertThat(StatusMappingTest.syncFailure(transport).status()).isEqualTo("UNAVAILABLE");

      connection.server().restart();
      transport.resetConnectBackoff();

      // gRPC's own first backoff is about a second (0.8 to 1.2 s); with the reset the channel
      // is back in milliseconds. Until then a sync fails fast, and is tried again.
      Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
          .ignoreExceptions()
          .until(() -> sync(transport) != null);
    }
  }

  private static Set<Thread> exercise(GrpcTransport transport, TestEngramServer server)
      throws Exception {
    RecordingObserver observer = new RecordingObserver();
    EventStream stream = transport.openEventStream("c", "", observer);
    observer.request(stream, 1);
    server.awaitStream().send(Events.removal("1", "p"));
    observer.awaitEvent();
    sync(transport);
    return new HashSet<>(transportThreads());
  }

  private static SyncResult sync(GrpcTransport transport) throws Exception {
    return transport.sync(SyncRequest.of("c", List.of("gone-1")), Duration.ofSeconds(2))
        .get(5, TimeUnit.SECONDS);
  }

  private static ManagedChannel inProcessChannel(TestEngramServer server) {
    return InProcessChannelBuilder.forName(server.url().substring("inprocess://".length()))
        .directExecutor().build();
  }
}
