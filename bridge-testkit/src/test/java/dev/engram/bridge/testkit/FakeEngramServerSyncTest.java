package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real server's SyncProjectState rules, and scripting and recording of syncs. */
class FakeEngramServerSyncTest extends ServerAndClientTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_withEmptyClientId_isInvalidArgument_andIsRecorded(ServerMode mode) {
    start(mode);
    server.addProjects("p1");

    Status status = client.syncFailure("", "p1");

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("client_id");
    assertThat(server.takeSyncRequest(WAIT).clientId()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_withMoreIdsThanTheDefaultCap_isInvalidArgument(ServerMode mode) {
    start(mode);
    String[] atCap = ids(FakeEngramServer.DEFAULT_MAX_IDS_PER_SYNC);
    String[] overCap = ids(FakeEngramServer.DEFAULT_MAX_IDS_PER_SYNC + 1);

    SyncProjectStateResponse atCapResponse = client.sync("c", atCap);
    Status overCapStatus = client.syncFailure("c", overCap);

    assertThat(atCapResponse.getRemovedCount()).isEqualTo(10_000);
    assertThat(overCapStatus.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(overCapStatus.getDescription()).contains("10001 ids");
    assertThat(overCapStatus.getDescription()).contains("10000");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_withMoreIdsThanAConfiguredCap_isInvalidArgument(ServerMode mode) {
    start(mode, builder -> builder.maxIdsPerSync(3));

    client.sync("c", "a", "b", "c");
    Status status = client.syncFailure("c", "a", "b", "c", "d");

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("more than the limit of 3");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_reportsEveryIdThatIsNotLive_asRemoved(ServerMode mode) {
    start(mode);
    server.addProjects("live", "removed-with-event", "removed-quietly");
    server.removeProject("removed-with-event", "deleted by owner");
    server.removeProjectWithoutEvent("removed-quietly");

    SyncProjectStateResponse response =
        client.sync("c", "live", "removed-with-event", "never-known", "removed-quietly");

    assertThat(response.getRemovedList())
        .containsExactly("removed-with-event", "never-known", "removed-quietly")
        .inOrder();
    assertThat(response.getUnknownList()).isEmpty();
    assertThat(server.liveProjects()).containsExactly("live");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_listsLiveProjectsUnreportedForLongerThanTheThreshold_asUnknown(ServerMode mode) {
    FakeClock clock = new FakeClock();
    start(mode, builder -> builder.clock(clock.wallClock()));
    server.addProjects("reported", "forgotten");

    clock.advance(Duration.ofHours(23));
    SyncProjectStateResponse early = client.sync("c", "reported");
    clock.advance(Duration.ofHours(2));
    server.addProjects("added-later");
    SyncProjectStateResponse late = client.sync("c");
    clock.advance(Duration.ofHours(24));
    SyncProjectStateResponse atThreshold = client.sync("c");

    assertThat(early.getUnknownList()).isEmpty();
    assertThat(late.getUnknownList()).containsExactly("forgotten");
    // "added-later" is exactly 24 h old: not longer than the threshold.
    assertThat(atThreshold.getUnknownList()).containsExactly("reported", "forgotten").inOrder();
    assertThat(atThreshold.getRemovedList()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_usesAConfiguredUnknownThreshold(ServerMode mode) {
    FakeClock clock = new FakeClock();
    start(mode, builder -> builder.clock(clock.wallClock()).unknownAfter(Duration.ofMinutes(5)));
    server.addProjects("p1");

    clock.advance(Duration.ofMinutes(6));

    assertThat(client.sync("c").getUnknownList()).containsExactly("p1");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_serverTime_isTheServerClockPlusSkew(ServerMode mode) {
    FakeClock clock = new FakeClock();
    start(mode, builder -> builder.clock(clock.wallClock()).clockSkew(Duration.ofSeconds(90)));

    long ahead = client.sync("c").getServerTimeUnixMs();
    server.setClockSkew(Duration.ofSeconds(-5));
    clock.advance(Duration.ofMillis(250));
    long behind = client.sync("c").getServerTimeUnixMs();

    assertThat(ahead).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(90).toEpochMilli());
    assertThat(behind)
        .isEqualTo(FakeClock.DEFAULT_START.plusMillis(250).minusSeconds(5).toEpochMilli());
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void sync_withToken_rejectsMissingOrWrongBearer_andCountsWithoutRecording(ServerMode mode) {
    start(mode, builder -> builder.token("s3cret-token"));
    SyncProjectStateRequest request = TestClient.request("c", "p1");

    Status missing = client.syncFailure(request, new Metadata(), WAIT);
    Status wrong = client.syncFailure(request, TestClient.bearer("wrong-token"), WAIT);
    Status wrongScheme =
        client.syncFailure(request, TestClient.header("authorization", "Basic s3cret-token"), WAIT);
    SyncProjectStateResponse accepted = client.sync(request, TestClient.bearer("s3cret-token"), WAIT);

    for (Status status : List.of(missing, wrong, wrongScheme)) {
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(status.getDescription()).doesNotContain("s3cret");
      assertThat(status.getDescription()).doesNotContain("wrong-token");
    }
    assertThat(accepted.getRemovedList()).containsExactly("p1");
    assertThat(server.authFailures()).isEqualTo(3);
    assertThat(server.syncRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void setToken_atRuntime_changesWhatIsAccepted(ServerMode mode) {
    start(mode);
    SyncProjectStateRequest request = TestClient.request("c");

    client.sync(request, new Metadata(), WAIT);
    server.setToken("rotated");
    Status withoutToken = client.syncFailure(request, new Metadata(), WAIT);
    client.sync(request, TestClient.bearer("rotated"), WAIT);
    server.setToken(null);
    client.sync(request, new Metadata(), WAIT);

    assertThat(withoutToken.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(server.authFailures()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void failNextSyncs_failsThatManyCalls_thenAnswersAgain(ServerMode mode) {
    start(mode);
    server.addProjects("p1");
    server.failNextSyncs(2, Status.UNAVAILABLE.withDescription("scripted outage"));

    Status first = client.syncFailure("c", "p1");
    Status second = client.syncFailure("c", "p1");
    SyncProjectStateResponse third = client.sync("c", "p1", "gone");

    assertThat(first.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(first.getDescription()).isEqualTo("scripted outage");
    assertThat(second.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(third.getRemovedList()).containsExactly("gone");
    assertThat(server.syncRequestCount()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void delaySyncs_holdsEachAnswer_pastAShortDeadline_butAnswersAWaitingClient(ServerMode mode) {
    start(mode);
    SyncProjectStateRequest request = TestClient.request("c", "gone");

    server.delaySyncs(Duration.ofSeconds(3));
    Status tooImpatient = client.syncFailure(request, new Metadata(), Duration.ofMillis(150));
    server.delaySyncs(Duration.ofMillis(50));
    SyncProjectStateResponse patient = client.sync(request, new Metadata(), WAIT);
    server.delaySyncs(Duration.ZERO);
    SyncProjectStateResponse immediate = client.sync(request, new Metadata(), WAIT);

    assertThat(tooImpatient.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(patient.getRemovedList()).containsExactly("gone");
    assertThat(immediate.getRemovedList()).containsExactly("gone");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stallNextSyncs_neverAnswers_soTheClientDeadlineFires(ServerMode mode) {
    start(mode);
    server.stallNextSyncs(1);

    Status stalled =
        client.syncFailure(TestClient.request("c"), new Metadata(), Duration.ofMillis(200));
    SyncProjectStateResponse next = client.sync("c", "gone");

    assertThat(stalled.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(next.getRemovedList()).containsExactly("gone");
    assertThat(server.syncRequestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stop_failsStalledAndDelayedSyncs_withUnavailable(ServerMode mode) throws Exception {
    start(mode);
    server.stallNextSyncs(1);
    CompletableFuture<Status> stalled = syncInBackground();
    server.takeSyncRequest(WAIT);
    server.delaySyncs(Duration.ofMinutes(1));
    CompletableFuture<Status> delayed = syncInBackground();
    server.takeSyncRequest(WAIT);

    server.stop();

    assertThat(stalled.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(delayed.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void takeSyncRequest_returnsIdsClientIdAndHeaders_inArrivalOrder(ServerMode mode) {
    start(mode, builder -> builder.token("t0ken"));
    Metadata headers = TestClient.bearer("t0ken");
    headers.put(Metadata.Key.of("x-trace", Metadata.ASCII_STRING_MARSHALLER), "trace-value");

    client.sync(TestClient.request("client-1", "b", "a"), headers, WAIT);
    client.sync(TestClient.request("client-2"), TestClient.bearer("t0ken"), WAIT);
    RecordedSyncRequest first = server.takeSyncRequest(WAIT);
    RecordedSyncRequest second = server.takeSyncRequest(WAIT);

    assertThat(first.clientId()).isEqualTo("client-1");
    assertThat(first.localProjectIds()).containsExactly("b", "a").inOrder();
    assertThat(first.header("X-Trace")).hasValue("trace-value");
    assertThat(first.header("authorization")).hasValue("Bearer t0ken");
    assertThat(first.headers()).containsKey("x-trace");
    assertThat(first.request()).isEqualTo(TestClient.request("client-1", "b", "a"));
    assertThat(second.clientId()).isEqualTo("client-2");
    assertThat(first.toString()).doesNotContain("t0ken");
    assertThat(first.toString()).doesNotContain("trace-value");
    assertThat(first.toString()).contains("x-trace");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void syncRequests_listsEveryCall_includingRejectedOnes_andIgnoresTakes(ServerMode mode) {
    start(mode);

    client.sync("a");
    client.syncFailure("");
    server.failNextSyncs(1, Status.INTERNAL);
    client.syncFailure("b");
    server.takeSyncRequest(WAIT);

    assertThat(server.syncRequests().stream().map(RecordedSyncRequest::clientId)
            .collect(Collectors.toList()))
        .containsExactly("a", "", "b")
        .inOrder();
    assertThat(server.syncRequestCount()).isEqualTo(3);
    assertThat(server.takeSyncRequest(WAIT).clientId()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void takeSyncRequest_whenNothingArrives_failsWithAClearMessage(ServerMode mode) {
    start(mode);
    client.sync("a");
    server.takeSyncRequest(WAIT);

    AssertionError error =
        assertThrows(AssertionError.class, () -> server.takeSyncRequest(Duration.ofMillis(50)));

    assertThat(error).hasMessageThat().contains("no new SyncProjectState call arrived within");
    assertThat(error).hasMessageThat().contains("1 arrived in all, 1 already taken");
  }

  private CompletableFuture<Status> syncInBackground() {
    CompletableFuture<Status> result = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        client.sync(TestClient.request("c"), new Metadata(), Duration.ofSeconds(30));
        result.complete(Status.OK);
      } catch (StatusRuntimeException e) {
        result.complete(e.getStatus());
      }
    }, "test-sync-caller");
    caller.setDaemon(true);
    caller.start();
    return result;
  }

  private static String[] ids(int count) {
    return IntStream.range(0, count).mapToObj(i -> "project-" + i).toArray(String[]::new);
  }
}
