package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;

/** Converts between the engram.v1 messages and the transport SPI's values. */
public final class WireMapping {

  private WireMapping() {}

  public static ProjectEventsRequest streamRequest(String clientId, String resumeEventId) {
    return ProjectEventsRequest.newBuilder()
        .setClientId(clientId)
        .setSinceEventId(resumeEventId == null ? "" : resumeEventId)
        .build();
  }

  /**
   * The event as the engine sees it. The type travels as its wire number, so a type this version
   * does not know arrives as {@link ServerEvent.Type#UNRECOGNIZED} instead of failing.
   */
  public static ServerEvent event(ProjectEvent event) {
    return ServerEvent.of(
        event.getEventId(),
        event.getEventTypeValue(),
        event.getProjectId(),
        event.getTimestampUnixMs(),
        event.getReason(),
        event.getMetadataMap());
  }

  public static SyncProjectStateRequest syncRequest(SyncRequest request) {
    return SyncProjectStateRequest.newBuilder()
        .setClientId(request.clientId())
        .addAllLocalProjectIds(request.localProjectIds())
        .build();
  }

  public static SyncResult syncResult(SyncProjectStateResponse response) {
    return SyncResult.of(
        response.getRemovedList(), response.getUnknownList(), response.getServerTimeUnixMs());
  }
}
