package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.MethodDescriptor;

/** The two engram.v1 methods the transport calls, with the marshalling a channel needs. */
public final class EngramMethods {
  private final MethodDescriptor<ProjectEventsRequest, ProjectEvent> projectEvents;
  private final MethodDescriptor<SyncProjectStateRequest, SyncProjectStateResponse> sync;

  private EngramMethods(
      MethodDescriptor<ProjectEventsRequest, ProjectEvent> projectEvents,
      MethodDescriptor<SyncProjectStateRequest, SyncProjectStateResponse> sync) {
    this.projectEvents = projectEvents;
    this.sync = sync;
  }

  /** The generated descriptors, for sockets, where messages are serialized anyway. */
  public static EngramMethods generated() {
    return new EngramMethods(
        EngramServiceGrpc.getProjectEventsMethod(), EngramServiceGrpc.getSyncProjectStateMethod());
  }

  /** Descriptors that serialize every message, for in-process channels. */
  public static EngramMethods serializing() {
    return new EngramMethods(
        EngramServiceGrpc.getProjectEventsMethod().toBuilder(
                CopyingMarshaller.of(ProjectEventsRequest.parser()),
                CopyingMarshaller.of(ProjectEvent.parser()))
            .build(),
        EngramServiceGrpc.getSyncProjectStateMethod().toBuilder(
                CopyingMarshaller.of(SyncProjectStateRequest.parser()),
                CopyingMarshaller.of(SyncProjectStateResponse.parser()))
            .build());
  }

  public MethodDescriptor<ProjectEventsRequest, ProjectEvent> projectEvents() {
    return projectEvents;
  }

  public MethodDescriptor<SyncProjectStateRequest, SyncProjectStateResponse> sync() {
    return sync;
  }
}
