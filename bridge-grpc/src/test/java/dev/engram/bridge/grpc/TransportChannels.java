package dev.engram.bridge.grpc;

import io.grpc.ManagedChannel;

/** Lets tests in other packages see the channel of a transport. */
public final class TransportChannels {
  private TransportChannels() {}

  /** The channel {@code transport} sends its calls on. */
  public static ManagedChannel channelOf(GrpcTransport transport) {
    return transport.channel();
  }
}
