package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.testing.TestEngramServer.Kind.IN_PROCESS;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.grpc.internal.EventStreamCall;
import dev.engram.bridge.grpc.internal.TransportThreads;
import dev.engram.bridge.grpc.testing.Connection;
import dev.engram.bridge.grpc.testing.Events;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.OpenedStream;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import dev.engram.bridge.grpc.testing.TestEngramServer.Kind;
import dev.engram.bridge.proto.v1.ProjectEvent;
import io.grpc.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NoSecretsInLogs.class)
class EventStreamTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void openEventStream_sendsClientIdAndResumeId_andDeliversEveryField(Kind kind) {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream =
          connection.transport().openEventStream("client-7", "41", observer);
      OpenedStream server = connection.server().awaitStream();
      observer.request(stream, 1);
      server.send(Events.removal("42", "proj-a").toBuilder()
          .putMetadata("owner", "team-x").build());

      ServerEvent event = observer.awaitEvent();

      assertThat(server.request().getClientId()).isEqualTo("client-7");
      assertThat(server.request().getSinceEventId()).isEqualTo("41");
      assertThat(event).isEqualTo(ServerEvent.of(
          "42", 1, "proj-a", 1_700_000_000_123L, "deleted by owner", Map.of("owner", "team-x")));
      assertThat(event.type()).isEqualTo(ServerEvent.Type.REMOVED);
      assertThat(observer.breaches()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void openEventStream_withoutResumeId_sendsEmptySinceEventId(Kind kind) {
    try (Connection connection = Connection.open(kind)) {
      connection.transport().openEventStream("client-7", "", new RecordingObserver());

      assertThat(connection.server().awaitStream().request().getSinceEventId()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void unknownEventTypeNumber_arrivesAsUnrecognized_withItsNumber(Kind kind) {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      OpenedStream server = connection.server().awaitStream();
      observer.request(stream, 2);

      server.send(Events.removal("1", "p").toBuilder().setEventTypeValue(97).build());
      server.send(Events.removal("2", "q"));
      List<ServerEvent> events = observer.awaitEvents(2);

      assertThat(events.get(0).type()).isEqualTo(ServerEvent.Type.UNRECOGNIZED);
      assertThat(events.get(0).typeNumber()).isEqualTo(97);
      assertThat(events.get(1).type()).isEqualTo(ServerEvent.Type.REMOVED);
      assertThat(observer.breaches()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void serverCompletes_observerHearsOnCompleted_andLaterDemandOrCancelIsHarmless(Kind kind)
      throws Exception {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);

      connection.server().awaitStream().complete();
      observer.awaitCompleted();
      ((EventStreamCall) stream).finished().get(5, TimeUnit.SECONDS);
      stream.request(3);
      stream.cancel();

      assertThat(observer.callbacks()).containsExactly("onCompleted");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void flowControl_deliversNoMoreThanRequested_andServerSeesBackpressure(Kind kind)
      throws Exception {
    // Large events on a socket, so that HTTP/2 flow control fills up quickly.
    String reason = kind == IN_PROCESS ? "" : "x".repeat(64 * 1024);
    int total = 200;
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      OpenedStream server = connection.server().awaitStream();

      observer.request(stream, 3);
      server.sendWhileReady(Events.removals(total, reason).iterator());
      List<ServerEvent> first = observer.awaitEvents(3);
      awaitNotReady(server);
      int sentWhileClientAskedForThree = server.sent();

      observer.request(stream, total - 3);
      List<ServerEvent> rest = observer.awaitEvents(total - 3);
      server.complete();
      observer.awaitCompleted();

      assertThat(first.get(0).eventId()).isEqualTo("1");
      assertThat(rest.get(total - 4).eventId()).isEqualTo(String.valueOf(total));
      assertThat(sentWhileClientAskedForThree).isLessThan(total);
      if (kind == IN_PROCESS) {
        // In-process readiness is exactly the client's demand.
        assertThat(sentWhileClientAskedForThree).isEqualTo(3);
      }
      assertThat(server.timesNotReady()).isAtLeast(1);
      assertThat(observer.breaches()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void flowControl_withoutRequest_deliversNothing_evenWhenServerPushes(Kind kind)
      throws Exception {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      OpenedStream server = connection.server().awaitStream();

      for (ProjectEvent event : Events.removals(5)) {
        server.send(event);
      }
      server.complete();
      // The completion waits behind the undelivered events; asking for them releases both.
      observer.request(stream, 5);
      observer.awaitEvents(5);
      observer.awaitCompleted();

      assertThat(observer.callbacks())
          .containsExactly("onEvent", "onEvent", "onEvent", "onEvent", "onEvent", "onCompleted")
          .inOrder();
      assertThat(observer.breaches()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void cancel_byTheEngine_givesNoCallback_andServerSeesTheCancel(Kind kind) throws Exception {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      OpenedStream server = connection.server().awaitStream();
      observer.request(stream, 10);
      server.send(Events.removal("1", "p"));
      observer.awaitEvent();

      stream.cancel();
      stream.cancel();
      stream.request(5);
      server.cancelledByClient().get(5, TimeUnit.SECONDS);
      ((EventStreamCall) stream).finished().get(5, TimeUnit.SECONDS);

      assertThat(observer.callbacks()).containsExactly("onEvent");
      assertThat(observer.breaches()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void cancel_whileAnEventIsBeingHandled_swallowsTheFailureThatWasQueued(Kind kind)
      throws Exception {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      CountDownLatch handling = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      observer.onEachEvent(() -> {
        handling.countDown();
        awaitQuietly(release);
      });
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      OpenedStream server = connection.server().awaitStream();
      observer.request(stream, 1);
      server.send(Events.removal("1", "p"));
      assertThat(handling.await(5, TimeUnit.SECONDS)).isTrue();

      // The failure is queued behind the event being handled; the cancel comes first.
      server.fail(Status.UNAVAILABLE.withDescription("going away"));
      stream.cancel();
      release.countDown();
      ((EventStreamCall) stream).finished().get(5, TimeUnit.SECONDS);

      assertThat(observer.callbacks()).containsExactly("onEvent");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void cancel_fromInsideOnEvent_endsTheStreamWithoutCallback(Kind kind) throws Exception {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream[] holder = new EventStream[1];
      observer.onEachEvent(() -> holder[0].cancel());
      holder[0] = connection.transport().openEventStream("c", "", observer);
      OpenedStream server = connection.server().awaitStream();
      observer.request(holder[0], 5);

      server.send(Events.removal("1", "p"));
      server.send(Events.removal("2", "p"));
      server.cancelledByClient().get(5, TimeUnit.SECONDS);
      ((EventStreamCall) holder[0]).finished().get(5, TimeUnit.SECONDS);

      assertThat(observer.callbacks()).containsExactly("onEvent");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void serverSideCancelled_isRetryable(Kind kind) {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      connection.transport().openEventStream("c", "7", observer);

      connection.server().awaitStream().fail(Status.CANCELLED.withDescription("server stopping"));
      TransportException failure = observer.awaitFailure();

      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("CANCELLED");
      assertThat(failure).hasMessageThat().contains("server stopping");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void serverGoesAway_streamFailsRetryable(Kind kind) {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      connection.transport().openEventStream("c", "", observer);
      connection.server().awaitStream();

      connection.server().stop();
      TransportException failure = observer.awaitFailure();

      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isAnyOf("UNAVAILABLE", "CANCELLED");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void observerThrows_streamEndsAsRetryableFailure(Kind kind) {
    try (Connection connection = Connection.open(kind)) {
      RecordingObserver observer = new RecordingObserver();
      observer.onEachEvent(() -> {
        throw new IllegalStateException("engine bug");
      });
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      observer.request(stream, 1);
      connection.server().awaitStream().send(Events.removal("1", "p"));

      TransportException failure = observer.awaitFailure();

      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("CANCELLED");
    }
  }

  @Test
  void eventLargerThanMaxInbound_failsTheStreamRetryable() {
    // A socket only: gRPC's in-process transport does not enforce the limit.
    try (Connection connection = Connection.open(TestEngramServer.loopback(),
        settings -> settings.maxInboundMessageBytes(1024))) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      observer.request(stream, 2);
      OpenedStream server = connection.server().awaitStream();

      server.send(Events.removal("1", "small"));
      server.send(Events.removal("2", "p").toBuilder().setReason("x".repeat(2048)).build());

      assertThat(observer.awaitEvent().projectId()).isEqualTo("small");
      TransportException failure = observer.awaitFailure();
      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("RESOURCE_EXHAUSTED");
    }
  }

  @Test
  void maxInbound_defaultsToFourMebibytes() {
    try (Connection connection = Connection.open(Kind.LOOPBACK)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = connection.transport().openEventStream("c", "", observer);
      observer.request(stream, 2);
      OpenedStream server = connection.server().awaitStream();

      server.send(Events.removal("1", "p").toBuilder().setReason("x".repeat(4_000_000)).build());
      server.send(Events.removal("2", "p").toBuilder().setReason("x".repeat(4_200_000)).build());

      assertThat(observer.awaitEvent().reason()).hasLength(4_000_000);
      assertThat(observer.awaitFailure().status()).isEqualTo("RESOURCE_EXHAUSTED");
    }
  }

  @Test
  void callbacks_runOnTheTransportsOwnSmallPool_evenWithManyStreams() throws Exception {
    try (Connection connection = Connection.open(IN_PROCESS)) {
      List<RecordingObserver> observers = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        RecordingObserver observer = new RecordingObserver();
        EventStream stream = connection.transport().openEventStream("c" + i, "", observer);
        observer.request(stream, 20);
        observers.add(observer);
      }
      for (int i = 0; i < observers.size(); i++) {
        OpenedStream server = connection.server().awaitStream();
        Events.removals(20).forEach(server::send);
      }
      Set<String> threads = new HashSet<>();
      for (RecordingObserver observer : observers) {
        observer.awaitEvents(20);
        threads.addAll(observer.threadNames());
        assertThat(observer.breaches()).isEmpty();
      }

      assertThat(threads.size()).isAtMost(2);
      for (String thread : threads) {
        assertThat(thread).startsWith(TransportThreads.NAME_PREFIX);
        assertThat(thread).contains("-callback-");
      }
    }
  }

  @Test
  void request_negative_isRejected() {
    try (Connection connection = Connection.open(IN_PROCESS)) {
      EventStream stream =
          connection.transport().openEventStream("c", "", new RecordingObserver());

      assertThrows(IllegalArgumentException.class, () -> stream.request(-1));
    }
  }

  @Test
  void openEventStream_withEmptyClientId_isRejected() {
    try (Connection connection = Connection.open(IN_PROCESS)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> connection.transport().openEventStream("", "", new RecordingObserver()));

      assertThat(e).hasMessageThat().contains("clientId");
    }
  }

  private static void awaitNotReady(OpenedStream server) throws InterruptedException {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .pollInterval(java.time.Duration.ofMillis(5))
        .until(() -> !server.isReady() && server.timesNotReady() > 0);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
