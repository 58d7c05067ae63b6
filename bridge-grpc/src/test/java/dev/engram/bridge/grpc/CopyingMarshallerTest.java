package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.grpc.internal.CopyingMarshaller;
import dev.engram.bridge.grpc.internal.EngramMethods;
import dev.engram.bridge.grpc.testing.Events;
import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class CopyingMarshallerTest {

  @Test
  void roundTrip_goesThroughBytes_andGivesAnEqualButNewMessage() throws Exception {
    CopyingMarshaller<ProjectEvent> marshaller = CopyingMarshaller.of(ProjectEvent.parser());
    ProjectEvent event = Events.removal("1", "p").toBuilder().setEventTypeValue(77).build();

    InputStream stream = marshaller.stream(event);
    ProjectEvent parsed = marshaller.parse(stream);

    assertThat(stream).isInstanceOf(ByteArrayInputStream.class);
    assertThat(parsed).isEqualTo(event);
    assertThat(parsed).isNotSameInstanceAs(event);
    assertThat(parsed.getEventTypeValue()).isEqualTo(77);
  }

  @Test
  void parse_ofBytesThatAreNoMessage_failsInternal() {
    CopyingMarshaller<ProjectEvent> marshaller = CopyingMarshaller.of(ProjectEvent.parser());

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> marshaller.parse(new ByteArrayInputStream(new byte[] {(byte) 0xff, 0x01})));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
  }

  @Test
  void serializingMethods_useCopyingMarshallers_generatedOnesDoNot() {
    EngramMethods serializing = EngramMethods.serializing();
    EngramMethods generated = EngramMethods.generated();

    assertThat(serializing.projectEvents().getResponseMarshaller())
        .isInstanceOf(CopyingMarshaller.class);
    assertThat(serializing.projectEvents().getRequestMarshaller())
        .isInstanceOf(CopyingMarshaller.class);
    assertThat(serializing.sync().getResponseMarshaller()).isInstanceOf(CopyingMarshaller.class);
    assertThat(serializing.sync().getRequestMarshaller()).isInstanceOf(CopyingMarshaller.class);
    assertThat(serializing.projectEvents().getFullMethodName())
        .isEqualTo(EngramServiceGrpc.getProjectEventsMethod().getFullMethodName());
    assertThat(generated.projectEvents())
        .isSameInstanceAs(EngramServiceGrpc.getProjectEventsMethod());
  }
}
