package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.GrpcTransport;
import java.util.function.Consumer;

/** A test server and a transport built for it, closed together (transport first). */
public final class Connection implements AutoCloseable {
  private final TestEngramServer server;
  private final GrpcTransport transport;

  private Connection(TestEngramServer server, GrpcTransport transport) {
    this.server = server;
    this.transport = transport;
  }

  /** A new server of {@code kind} and a transport to it with default settings. */
  public static Connection open(TestEngramServer.Kind kind) {
    return open(TestEngramServer.start(kind), settings -> {});
  }

  /** A transport to {@code server}, with settings adjusted by {@code configure}. */
  public static Connection open(
      TestEngramServer server, Consumer<TransportSettings.Builder> configure) {
    TransportSettings.Builder settings = TransportSettings.builder(ServerUrl.parse(server.url()));
    configure.accept(settings);
    try {
      return new Connection(server, GrpcTransport.create(settings.build()));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public TestEngramServer server() {
    return server;
  }

  public GrpcTransport transport() {
    return transport;
  }

  @Override
  public void close() {
    try {
      transport.close();
    } finally {
      server.close();
    }
  }
}
