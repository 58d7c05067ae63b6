package dev.engram.bridge.api;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.ServerEvent;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectRemovalTest {

  @Test
  void sources_haveLowerCaseWireNames() {
    assertThat(RemovalSource.STREAM.wireName()).isEqualTo("stream");
    assertThat(RemovalSource.HEARTBEAT.wireName()).isEqualTo("heartbeat");
  }

  @Test
  void fromStream_keepsWhatTheStreamKnows() {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");

    ProjectRemoval removal = ProjectRemoval.fromStream("p1", "42", "deleted by owner", at);

    assertThat(removal.projectId()).isEqualTo("p1");
    assertThat(removal.source()).isEqualTo(RemovalSource.STREAM);
    assertThat(removal.eventId()).hasValue("42");
    assertThat(removal.reason()).hasValue("deleted by owner");
    assertThat(removal.serverTime()).hasValue(at);
  }

  @Test
  void fromHeartbeat_hasNoEventIdOrReason() {
    ProjectRemoval removal = ProjectRemoval.fromHeartbeat("p1", null);

    assertThat(removal.source()).isEqualTo(RemovalSource.HEARTBEAT);
    assertThat(removal.eventId()).isEmpty();
    assertThat(removal.reason()).isEmpty();
    assertThat(removal.serverTime()).isEmpty();
    assertThat(removal.toString()).isEqualTo("ProjectRemoval{projectId=p1, source=heartbeat}");
  }

  @Test
  void emptyStrings_countAsAbsent() {
    ProjectRemoval removal = ProjectRemoval.fromStream("p1", "", "", null);

    assertThat(removal.eventId()).isEmpty();
    assertThat(removal.reason()).isEmpty();
    assertThat(removal).isEqualTo(ProjectRemoval.fromStream("p1", null, null, null));
  }

  @Test
  void emptyProjectId_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ProjectRemoval.fromHeartbeat("", null));

    assertThat(e).hasMessageThat().contains("projectId is empty");
  }

  @Test
  void serverEvent_unknownTypeNumber_isUnrecognizedAndKeepsTheNumber() {
    ServerEvent event = ServerEvent.of("7", 42, "p1", 0, "", Map.of());

    assertThat(event.type()).isEqualTo(ServerEvent.Type.UNRECOGNIZED);
    assertThat(event.typeNumber()).isEqualTo(42);
    assertThat(event.toString()).contains("UNRECOGNIZED(42)");
  }

  @Test
  void serverEvent_nullsBecomeEmpty() {
    ServerEvent event = ServerEvent.of(null, 1, null, 0, null, null);

    assertThat(event.eventId()).isEmpty();
    assertThat(event.projectId()).isEmpty();
    assertThat(event.reason()).isEmpty();
    assertThat(event.metadata()).isEmpty();
    assertThat(event.type()).isEqualTo(ServerEvent.Type.REMOVED);
  }
}
