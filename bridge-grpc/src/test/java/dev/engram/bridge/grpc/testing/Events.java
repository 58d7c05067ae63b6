package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventType;
import java.util.ArrayList;
import java.util.List;

/** Builds wire events for tests. */
public final class Events {

  private Events() {}

  public static ProjectEvent removal(String eventId, String projectId) {
    return ProjectEvent.newBuilder()
        .setEventId(eventId)
        .setEventType(ProjectEventType.PROJECT_EVENT_TYPE_REMOVED)
        .setProjectId(projectId)
        .setTimestampUnixMs(1_700_000_000_123L)
        .setReason("deleted by owner")
        .build();
  }

  /** {@code count} removals with event ids "1", "2", ... and project ids "p-1", "p-2", .... */
  public static List<ProjectEvent> removals(int count) {
    return removals(count, "");
  }

  /** As {@link #removals(int)}, each with {@code reason} (to make events large). */
  public static List<ProjectEvent> removals(int count, String reason) {
    List<ProjectEvent> events = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      events.add(removal(String.valueOf(i), "p-" + i).toBuilder().setReason(reason).build());
    }
    return events;
  }
}
