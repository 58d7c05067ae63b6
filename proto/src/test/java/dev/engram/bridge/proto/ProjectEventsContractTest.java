package dev.engram.bridge.proto;

import static com.google.common.truth.Truth.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventType;
import dev.engram.bridge.proto.v1.ProjectEventsProto;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.MethodDescriptor.MethodType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the engram.v1 wire contract. A failure here means the .proto no longer matches what a
 * real engram server sends and expects: fix the .proto, not this test.
 */
class ProjectEventsContractTest {

  @Test
  void package_isEngramV1() {
    assertThat(ProjectEventsProto.getDescriptor().getPackage()).isEqualTo("engram.v1");
    assertThat(EngramServiceGrpc.SERVICE_NAME).isEqualTo("engram.v1.EngramService");
  }

  @Test
  void service_hasExactlyTheTwoMethods() {
    assertThat(ProjectEventsProto.getDescriptor().getServices()).hasSize(1);
    assertThat(
            ProjectEventsProto.getDescriptor().findServiceByName("EngramService").getMethods()
                .stream().map(m -> m.getName()).toList())
        .containsExactly("SyncProjectState", "ProjectEvents");
  }

  @Test
  void projectEvents_isServerStreaming() {
    var method = EngramServiceGrpc.getProjectEventsMethod();

    assertThat(method.getFullMethodName()).isEqualTo("engram.v1.EngramService/ProjectEvents");
    assertThat(method.getType()).isEqualTo(MethodType.SERVER_STREAMING);
  }

  @Test
  void syncProjectState_isUnary() {
    var method = EngramServiceGrpc.getSyncProjectStateMethod();

    assertThat(method.getFullMethodName()).isEqualTo("engram.v1.EngramService/SyncProjectState");
    assertThat(method.getType()).isEqualTo(MethodType.UNARY);
  }

  @Test
  void syncProjectStateRequest_fields() {
    assertThat(fields(SyncProjectStateRequest.getDescriptor()))
        .containsExactly(
            "local_project_ids", "1 repeated STRING",
            "client_id", "2 optional STRING")
        .inOrder();
  }

  @Test
  void syncProjectStateResponse_fields() {
    assertThat(fields(SyncProjectStateResponse.getDescriptor()))
        .containsExactly(
            "removed", "1 repeated STRING",
            "unknown", "2 repeated STRING",
            "server_time_unix_ms", "3 optional INT64")
        .inOrder();
  }

  @Test
  void projectEventsRequest_fields() {
    assertThat(fields(ProjectEventsRequest.getDescriptor()))
        .containsExactly(
            "client_id", "1 optional STRING",
            "since_event_id", "2 optional STRING")
        .inOrder();
  }

  @Test
  void projectEvent_fields() {
    assertThat(fields(ProjectEvent.getDescriptor()))
        .containsExactly(
            "event_id", "1 optional STRING",
            "event_type", "2 optional ENUM engram.v1.ProjectEventType",
            "project_id", "3 optional STRING",
            "timestamp_unix_ms", "4 optional INT64",
            "reason", "5 optional STRING",
            "metadata", "6 map STRING STRING")
        .inOrder();
  }

  @Test
  void projectEventType_values() {
    EnumDescriptor type = ProjectEventType.getDescriptor();

    assertThat(type.getFullName()).isEqualTo("engram.v1.ProjectEventType");
    Map<String, Integer> values = new LinkedHashMap<>();
    type.getValues().forEach(v -> values.put(v.getName(), v.getNumber()));
    assertThat(values)
        .containsExactly(
            "PROJECT_EVENT_TYPE_UNSPECIFIED", 0,
            "PROJECT_EVENT_TYPE_REMOVED", 1,
            "PROJECT_EVENT_TYPE_CREATED", 2,
            "PROJECT_EVENT_TYPE_RENAMED", 3)
        .inOrder();
  }

  @Test
  void projectEvent_unknownEnumNumber_survivesParsing() throws Exception {
    byte[] wire = ProjectEvent.newBuilder().setEventTypeValue(42).setProjectId("p").build()
        .toByteArray();

    ProjectEvent parsed = ProjectEvent.parseFrom(wire);

    assertThat(parsed.getEventType()).isEqualTo(ProjectEventType.UNRECOGNIZED);
    assertThat(parsed.getEventTypeValue()).isEqualTo(42);
  }

  /** Field name to "number label type", in declaration order; proto3 singulars are "optional". */
  private static Map<String, String> fields(Descriptor message) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (FieldDescriptor field : message.getFields()) {
      fields.put(field.getName(), describe(field));
    }
    return fields;
  }

  private static String describe(FieldDescriptor field) {
    if (field.isMapField()) {
      Descriptor entry = field.getMessageType();
      return field.getNumber() + " map " + entry.findFieldByName("key").getType() + " "
          + entry.findFieldByName("value").getType();
    }
    String label = field.isRepeated() ? "repeated" : "optional";
    String type = field.getType().toString();
    if (field.getType() == Type.ENUM) {
      type += " " + field.getEnumType().getFullName();
    }
    return field.getNumber() + " " + label + " " + type;
  }
}
