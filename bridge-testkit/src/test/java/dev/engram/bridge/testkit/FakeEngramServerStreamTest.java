package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.base.Strings;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventType;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real server's ProjectEvents rules, and scripting and recording of streams. */
class FakeEngramServerStreamTest extends ServerAndClientTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** Long enough for an event that was (wrongly) on its way to arrive. */
  private static final Duration QUIET = Duration.ofMillis(150);

  /** Opens a fresh stream and waits until the server has it. */
  private EventCollector openStream(String clientId) {
    int opened = server.totalStreamsOpened();
    EventCollector stream = client.stream(clientId);
    server.awaitTotalStreamsOpened(opened + 1, WAIT);
    return stream;
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stream_withEmptyClientId_isInvalidArgument_andIsRecorded(ServerMode mode)
      throws Exception {
    start(mode);

    Status status = client.stream("").awaitEnd();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("client_id");
    RecordedStreamOpen open = server.takeStreamOpen(WAIT);
    assertThat(open.clientId()).isEmpty();
    assertThat(open.outcome()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(server.totalStreamsOpened()).isEqualTo(0);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stream_withSinceEventId_andReplayOff_isOutOfRange(ServerMode mode) throws Exception {
    start(mode);
    server.removeProject("p1", "");

    Status status = client.resume("c", "1").awaitEnd();

    assertThat(status.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(server.takeStreamOpen(WAIT).outcome()).isEqualTo(Status.Code.OUT_OF_RANGE);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stream_withReplayOn_resumesAfterSinceEventId_thenGoesLive(ServerMode mode)
      throws Exception {
    start(mode, builder -> builder.replay(true));
    server.removeProject("p1", "");
    server.removeProject("p2", "");
    server.removeProject("p3", "");

    EventCollector resumed = client.resume("c", "1");
    server.awaitOpenStreams(1, WAIT);
    server.removeProject("p4", "");

    assertThat(ids(resumed.take(3))).containsExactly("2", "3", "4").inOrder();
    assertThat(resumed.poll(QUIET)).isNull();
    RecordedStreamOpen open = server.takeStreamOpen(WAIT);
    assertThat(open.sinceEventId()).isEqualTo("1");
    assertThat(open.isResume()).isTrue();
    assertThat(open.outcome()).isEqualTo(Status.Code.OK);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stream_withReplayOn_isOutOfRange_whenEventsAfterTheIdAreNoLongerHeld(ServerMode mode)
      throws Exception {
    start(mode, builder -> builder.replay(true).historySize(2));
    for (int i = 1; i <= 4; i++) {
      server.removeProject("p" + i, "");
    }

    Status lostEvent2 = client.resume("c", "1").awaitEnd();
    Status neverSent = client.resume("c", "99").awaitEnd();
    EventCollector fromEvicted = client.resume("c", "2");

    assertThat(lostEvent2.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(neverSent.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    // Event 2 itself is gone, but everything after it (3 and 4) is still held.
    assertThat(ids(fromEvicted.take(2))).containsExactly("3", "4").inOrder();
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void setReplay_atRuntime_turnsResumingOnAndOff(ServerMode mode) throws Exception {
    start(mode);
    server.removeProject("p1", "");
    server.removeProject("p2", "");

    Status before = client.resume("c", "1").awaitEnd();
    server.setReplay(true);
    EventCollector during = client.resume("c", "1");
    ProjectEvent replayed = during.take();
    server.setReplay(false);
    Status after = client.resume("c", "1").awaitEnd();

    assertThat(before.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(replayed.getEventId()).isEqualTo("2");
    assertThat(after.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void removeProject_sendsRemovedEvents_withIncreasingIdsAndTheServerTime(ServerMode mode)
      throws Exception {
    FakeClock clock = new FakeClock();
    start(mode, builder -> builder.clock(clock.wallClock()).clockSkew(Duration.ofSeconds(7)));
    server.addProjects("p1", "p2");
    EventCollector stream = openStream("c");

    ProjectEvent sent1 = server.removeProject("p1", "deleted by owner");
    clock.advance(Duration.ofSeconds(1));
    ProjectEvent sent2 = server.removeProject("p2", "");
    List<ProjectEvent> received = stream.take(2);

    assertThat(received).containsExactly(sent1, sent2).inOrder();
    assertThat(sent1.getEventId()).isEqualTo("1");
    assertThat(sent2.getEventId()).isEqualTo("2");
    assertThat(sent1.getEventType()).isEqualTo(ProjectEventType.PROJECT_EVENT_TYPE_REMOVED);
    assertThat(sent1.getProjectId()).isEqualTo("p1");
    assertThat(sent1.getReason()).isEqualTo("deleted by owner");
    assertThat(sent1.getTimestampUnixMs())
        .isEqualTo(FakeClock.DEFAULT_START.plusSeconds(7).toEpochMilli());
    assertThat(sent2.getTimestampUnixMs())
        .isEqualTo(FakeClock.DEFAULT_START.plusSeconds(8).toEpochMilli());
    assertThat(server.liveProjects()).isEmpty();
    assertThat(client.sync("c", "p1", "p2").getRemovedList()).containsExactly("p1", "p2");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void removeProjectWithoutEvent_sendsNothing_butSyncFindsIt(ServerMode mode) throws Exception {
    start(mode);
    server.addProjects("quiet");
    EventCollector stream = openStream("c");

    server.removeProjectWithoutEvent("quiet");
    ProjectEvent marker = server.emitEvent(2, "marker", "");

    assertThat(stream.take()).isEqualTo(marker);
    assertThat(marker.getEventId()).isEqualTo("1");
    assertThat(client.sync("c", "quiet").getRemovedList()).containsExactly("quiet");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void emitRaw_sendsEventsExactlyAsGiven_includingUnknownTypesAndDuplicates(ServerMode mode)
      throws Exception {
    start(mode);
    EventCollector stream = openStream("c");
    ProjectEvent full = ProjectEvent.newBuilder()
        .setEventId("x-7")
        .setEventTypeValue(1)
        .setProjectId("p1")
        .setReason("why")
        .putMetadata("k", "v")
        .build();

    server.emitRaw(full);
    server.emitRaw(full);
    ProjectEvent unknownType = server.emitRaw("x-8", 42, "");
    ProjectEvent generated = server.removeProject("p2", "");
    List<ProjectEvent> received = stream.take(4);

    assertThat(received).containsExactly(full, full, unknownType, generated).inOrder();
    assertThat(received.get(2).getEventTypeValue()).isEqualTo(42);
    assertThat(received.get(2).getEventType()).isEqualTo(ProjectEventType.UNRECOGNIZED);
    assertThat(received.get(2).getProjectId()).isEmpty();
    // Raw events do not use up generated ids.
    assertThat(generated.getEventId()).isEqualTo("1");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void emitEvent_sendsAnyTypeWithTheNextId_andKeepsProjectsLive(ServerMode mode)
      throws Exception {
    start(mode);
    server.addProjects("p1");
    EventCollector stream = openStream("c");

    ProjectEvent created = server.emitEvent(2, "p1", "made");
    ProjectEvent future = server.emitEvent(17, "p1", "");
    ProjectEvent removal = server.emitEvent(1, "p1", "announced only");

    assertThat(stream.take(3)).containsExactly(created, future, removal).inOrder();
    assertThat(ids(List.of(created, future, removal))).containsExactly("1", "2", "3").inOrder();
    assertThat(future.getEventTypeValue()).isEqualTo(17);
    assertThat(server.liveProjects()).containsExactly("p1");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stream_sendsOnlyAsManyEventsAsTheClientAsksFor(ServerMode mode) throws Exception {
    start(mode);
    EventCollector stream = client.stream(request("c"), new Metadata(), 0);
    server.awaitOpenStreams(1, WAIT);
    for (int i = 1; i <= 5; i++) {
      server.removeProject("p" + i, "");
    }

    assertThat(stream.poll(QUIET)).isNull();
    stream.request(3);
    assertThat(ids(stream.take(3))).containsExactly("1", "2", "3").inOrder();
    assertThat(stream.poll(QUIET)).isNull();
    stream.request(10);
    assertThat(ids(stream.take(2))).containsExactly("4", "5").inOrder();
    assertThat(server.droppedEvents()).isEqualTo(0);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void subscriberBuffer_dropsAndCountsEventsBeyondIt_whenTheClientDoesNotRead(ServerMode mode)
      throws Exception {
    int buffer = 8;
    start(mode, builder -> builder.subscriberBuffer(buffer));
    EventCollector slow = client.stream(request("slow"), new Metadata(), 0);
    server.awaitOpenStreams(1, WAIT);
    // In-process, nothing leaves the buffer until the client asks; over a socket, the transport
    // takes events until its flow-control window is full, so it takes many more to overflow.
    int sent = mode == ServerMode.IN_PROCESS ? buffer + 5 : 5_000;
    String padding = Strings.repeat("x", 4_000);
    for (int i = 0; i < sent; i++) {
      server.emitEvent(1, "p" + i, padding);
    }
    long dropped = server.droppedEvents();

    slow.request(Integer.MAX_VALUE);
    List<ProjectEvent> received = slow.take((int) (sent - dropped));

    if (mode == ServerMode.IN_PROCESS) {
      assertThat(dropped).isEqualTo(5);
      assertThat(ids(received)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8").inOrder();
    } else {
      assertThat(dropped).isGreaterThan(0);
    }
    assertThat(numbers(received)).isInStrictOrder();
    assertThat(slow.poll(QUIET)).isNull();
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void subscriberBuffer_isPerStream_soAReadingClientLosesNothing(ServerMode mode)
      throws Exception {
    start(mode, builder -> builder.subscriberBuffer(4));
    EventCollector stalled = client.stream(request("stalled"), new Metadata(), 0);
    EventCollector reading = client.stream(request("reading"), new Metadata(), EventCollector.AUTOMATIC);
    server.awaitOpenStreams(2, WAIT);

    for (int i = 1; i <= 10; i++) {
      server.removeProject("p" + i, "");
      reading.take();
    }

    assertThat(server.droppedEvents()).isEqualTo(mode == ServerMode.IN_PROCESS ? 6 : 0);
    stalled.request(100);
    assertThat(stalled.take().getEventId()).isEqualTo("1");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void endStreams_endsEveryOpenStreamWithTheChosenStatus(ServerMode mode) throws Exception {
    start(mode);
    EventCollector first = openStream("a");
    EventCollector second = openStream("b");

    int ended = server.endStreams(Status.UNAVAILABLE.withDescription("chaos"));

    assertThat(ended).isEqualTo(2);
    for (EventCollector stream : List.of(first, second)) {
      Status status = stream.awaitEnd();
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).isEqualTo("chaos");
    }
    assertThat(server.openStreamCount()).isEqualTo(0);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void endStreams_withOk_completesStreamsNormally_afterSendingWhatWasAskedFor(ServerMode mode)
      throws Exception {
    start(mode);
    EventCollector stream = openStream("a");
    ProjectEvent last = server.removeProject("p1", "");

    server.endStreams(Status.OK);

    assertThat(stream.take()).isEqualTo(last);
    assertThat(stream.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void failNextStreams_failsThatManyOpens_thenAcceptsAgain(ServerMode mode) throws Exception {
    start(mode);
    server.failNextStreams(2, Status.RESOURCE_EXHAUSTED.withDescription("busy"));

    Status first = client.stream("c").awaitEnd();
    Status second = client.stream("c").awaitEnd();
    openStream("c");

    assertThat(first.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(second.getDescription()).isEqualTo("busy");
    assertThat(server.streamOpens().stream().map(RecordedStreamOpen::outcome)
            .collect(Collectors.toList()))
        .containsExactly(
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.OK)
        .inOrder();
    assertThat(server.openStreamCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stream_withToken_requiresTheBearerToken(ServerMode mode) throws Exception {
    start(mode, builder -> builder.token("stream-token"));

    Status missing = client.stream(request("c"), new Metadata(), EventCollector.AUTOMATIC)
        .awaitEnd();
    Status wrong = client.stream(request("c"), TestClient.bearer("nope"), EventCollector.AUTOMATIC)
        .awaitEnd();
    client.stream(request("c"), TestClient.bearer("stream-token"), EventCollector.AUTOMATIC);
    server.awaitOpenStreams(1, WAIT);

    assertThat(missing.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.getDescription()).doesNotContain("stream-token");
    assertThat(server.authFailures()).isEqualTo(2);
    assertThat(server.streamOpens()).hasSize(1);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void takeStreamOpen_recordsClientIdResumeIdAndHeaders(ServerMode mode) throws Exception {
    start(mode, builder -> builder.replay(true).token("tok"));
    server.removeProject("p1", "");
    Metadata headers = TestClient.bearer("tok");
    headers.put(Metadata.Key.of("x-client-version", Metadata.ASCII_STRING_MARSHALLER), "1.2.3");

    // One at a time: two calls started together may reach the server in either order.
    client.stream(request("fresh"), headers, EventCollector.AUTOMATIC);
    RecordedStreamOpen fresh = server.takeStreamOpen(WAIT);
    client.stream(
        ProjectEventsRequest.newBuilder().setClientId("resuming").setSinceEventId("1").build(),
        TestClient.bearer("tok"),
        EventCollector.AUTOMATIC);
    RecordedStreamOpen resuming = server.takeStreamOpen(WAIT);

    assertThat(fresh.clientId()).isEqualTo("fresh");
    assertThat(fresh.sinceEventId()).isEmpty();
    assertThat(fresh.isResume()).isFalse();
    assertThat(fresh.header("x-client-version")).hasValue("1.2.3");
    assertThat(fresh.header("authorization")).hasValue("Bearer tok");
    assertThat(fresh.toString()).doesNotContain("Bearer");
    assertThat(resuming.clientId()).isEqualTo("resuming");
    assertThat(resuming.sinceEventId()).isEqualTo("1");
    assertThat(resuming.outcome()).isEqualTo(Status.Code.OK);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void openStreamCount_fallsWhenAClientCancels_whileTheTotalKeepsCounting(ServerMode mode) {
    start(mode);
    EventCollector first = openStream("a");
    openStream("b");

    first.cancel();
    server.awaitOpenStreams(1, WAIT);
    openStream("c");

    assertThat(server.openStreamCount()).isEqualTo(2);
    assertThat(server.totalStreamsOpened()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void awaits_failWithAClearMessage_whenTheStreamsDoNotCome(ServerMode mode) {
    start(mode);
    openStream("a");

    AssertionError open =
        assertThrows(AssertionError.class, () -> server.awaitOpenStreams(2, Duration.ofMillis(50)));
    AssertionError total = assertThrows(AssertionError.class,
        () -> server.awaitTotalStreamsOpened(3, Duration.ofMillis(50)));
    server.takeStreamOpen(WAIT);
    AssertionError take =
        assertThrows(AssertionError.class, () -> server.takeStreamOpen(Duration.ofMillis(50)));

    assertThat(open).hasMessageThat()
        .isEqualTo("expected 2 open ProjectEvents stream(s) within PT0.05S, but 1 are open "
            + "(1 accepted in all)");
    assertThat(total).hasMessageThat().contains("expected at least 3");
    assertThat(take).hasMessageThat().contains("no new ProjectEvents call arrived within");
  }

  private static ProjectEventsRequest request(String clientId) {
    return ProjectEventsRequest.newBuilder().setClientId(clientId).build();
  }

  private static List<String> ids(List<ProjectEvent> events) {
    return events.stream().map(ProjectEvent::getEventId).collect(Collectors.toList());
  }

  private static List<Long> numbers(List<ProjectEvent> events) {
    return events.stream().map(e -> Long.parseLong(e.getEventId())).collect(Collectors.toList());
  }
}
