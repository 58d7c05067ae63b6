package dev.engram.bridge.grpc.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A protobuf marshaller that always goes through bytes.
 *
 * <p>gRPC's own protobuf marshaller hands the message object straight across when both ends of
 * an in-process call use the same parser, so an in-process test would never see what the wire
 * does (unknown enum numbers, dropped fields). The in-process scheme uses this one instead so
 * that it behaves like a socket without being one.
 */
public final class CopyingMarshaller<T extends MessageLite> implements Marshaller<T> {
  private final Parser<T> parser;

  private CopyingMarshaller(Parser<T> parser) {
    this.parser = parser;
  }

  public static <T extends MessageLite> CopyingMarshaller<T> of(Parser<T> parser) {
    return new CopyingMarshaller<>(parser);
  }

  @Override
  public InputStream stream(T value) {
    return new ByteArrayInputStream(value.toByteArray());
  }

  @Override
  public T parse(InputStream stream) {
    try (stream) {
      return parser.parseFrom(stream.readAllBytes());
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("the server sent a message that does not parse")
          .withCause(e).asRuntimeException();
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("a message could not be read").withCause(e)
          .asRuntimeException();
    }
  }
}
