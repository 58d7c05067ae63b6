package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.proto.v1.ProjectEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Removals reach handlers through the whole bridge: fake server, grpc transport, core. */
@ExtendWith(NoSecretsInLogs.class)
class BridgeDeliveryTest {
  /** Long enough for a second delivery of the same removal to show up if there were one. */
  private static final Duration QUIET = Duration.ofMillis(300);

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void removal_onTheStream_reachesTheHandlerOnce(Session.Kind kind) {
    try (Session session = Session.on(kind)) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      session.startBridge(config -> config);
      session.awaitStreamAndFirstSync();

      ProjectEvent sent = session.server.removeProject("p1", "deleted by owner");

      ProjectRemoval removal = session.handler.await(1, WAIT).get(0);
      assertThat(removal.projectId()).isEqualTo("p1");
      assertThat(removal.source()).isEqualTo(RemovalSource.STREAM);
      assertThat(removal.eventId()).hasValue(sent.getEventId());
      assertThat(removal.reason()).hasValue("deleted by owner");
      assertThat(removal.serverTime())
          .hasValue(Instant.ofEpochMilli(sent.getTimestampUnixMs()));
      session.handler.assertNoMoreThan(1, QUIET);
    }
  }

  @ParameterizedTest
  @EnumSource(Session.Kind.class)
  void removal_foundOnlyByTheHeartbeat_reachesTheHandlerWithSourceHeartbeat(Session.Kind kind) {
    try (Session session = Session.on(kind)) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      session.startBridge(config -> config.heartbeatInterval(Duration.ofSeconds(1)));
      session.recorder.awaitSynced(1);

      session.server.removeProjectWithoutEvent("p1");

      ProjectRemoval removal = session.handler.await(1, WAIT).get(0);
      assertThat(removal.projectId()).isEqualTo("p1");
      assertThat(removal.source()).isEqualTo(RemovalSource.HEARTBEAT);
      assertThat(removal.eventId()).isEmpty();
      assertThat(removal.serverTime()).isPresent();
      assertThat(session.recorder.events()).isEmpty();
      session.handler.assertNoMoreThan(1, QUIET);
    }
  }

  @Test
  void removal_onTheStreamAndThenByTheHeartbeat_firesOnce() {
    try (Session session = Session.on(Session.Kind.IN_PROCESS)) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      session.startBridge(config -> config.heartbeatInterval(Duration.ofSeconds(1)));
      session.awaitStreamAndFirstSync();
      int syncsBefore = session.recorder.synced().size();

      session.server.removeProject("p1", "deleted by owner");
      assertThat(session.handler.await(1, WAIT).get(0).source()).isEqualTo(RemovalSource.STREAM);

      // The project is still tracked, so a later reconciliation reports it removed again.
      await().atMost(WAIT).until(() -> session.recorder.synced().stream().skip(syncsBefore)
          .anyMatch(synced -> synced.removed() == 1));
      assertThat(session.recorder.duplicates().stream().map(ProjectRemoval::source))
          .contains(RemovalSource.HEARTBEAT);
      session.handler.assertNoMoreThan(1, QUIET);
    }
  }

  @Test
  void manyRemovals_beyondTheRequestWindow_eachReachTheHandlerOnce_inOrder() {
    try (Session session = Session.on(Session.Kind.LOOPBACK)) {
      List<String> ids = IntStream.range(0, 60).mapToObj(i -> "p" + i).toList();
      session.server.addProjects(ids);
      session.tracker.add(ids);
      session.startBridge(config -> config);
      session.awaitStreamAndFirstSync();

      List<String> eventIds = new ArrayList<>();
      for (String id : ids) {
        eventIds.add(session.server.removeProject(id, "bulk").getEventId());
      }

      List<ProjectRemoval> removals = session.handler.await(ids.size(), WAIT);
      assertThat(removals.stream().map(ProjectRemoval::projectId).toList())
          .containsExactlyElementsIn(ids).inOrder();
      assertThat(removals.stream().map(removal -> removal.eventId().orElseThrow()).toList())
          .containsExactlyElementsIn(eventIds).inOrder();
      assertThat(session.server.droppedEvents()).isEqualTo(0);
      session.handler.assertNoMoreThan(ids.size(), QUIET);
    }
  }
}
