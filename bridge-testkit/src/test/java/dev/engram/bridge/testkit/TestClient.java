package dev.engram.bridge.testkit;

import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A client of the fake server built from the generated stubs, as the bridge's transport would
 * be: in-process for {@code inprocess://} URLs, Netty for loopback ones.
 */
final class TestClient implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(5);

  private final ManagedChannel channel;

  private TestClient(ManagedChannel channel) {
    this.channel = channel;
  }

  static TestClient connect(FakeEngramServer server) {
    return connect(server, null);
  }

  /** A client for {@code server}'s URL; {@code tls} for https URLs. */
  static TestClient connect(FakeEngramServer server, ChannelCredentials tls) {
    URI url = URI.create(server.url());
    ManagedChannel channel;
    if (url.getScheme().equals("inprocess")) {
      channel = InProcessChannelBuilder.forName(url.getHost()).directExecutor().build();
    } else if (tls != null) {
      channel = NettyChannelBuilder.forAddress(url.getHost(), url.getPort(), tls)
          .directExecutor()
          .build();
    } else {
      channel = NettyChannelBuilder.forAddress(url.getHost(), url.getPort())
          .usePlaintext()
          .directExecutor()
          .build();
    }
    return new TestClient(channel);
  }

  /** A plaintext client for 127.0.0.1:{@code port}, whatever listens there. */
  static TestClient plaintext(int port) {
    return new TestClient(NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .directExecutor()
        .build());
  }

  static Metadata bearer(String token) {
    return header("authorization", "Bearer " + token);
  }

  static Metadata header(String name, String value) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    return headers;
  }

  SyncProjectStateResponse sync(String clientId, String... ids) {
    return sync(request(clientId, ids), new Metadata(), DEADLINE);
  }

  SyncProjectStateResponse sync(
      SyncProjectStateRequest request, Metadata headers, Duration deadline) {
    return EngramServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .syncProjectState(request);
  }

  /** A sync that waits for the channel to connect rather than failing while it cannot. */
  SyncProjectStateResponse syncWhenReady(String clientId, String... ids) {
    return EngramServiceGrpc.newBlockingStub(channel)
        .withWaitForReady()
        .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .syncProjectState(request(clientId, ids));
  }

  void resetConnectBackoff() {
    channel.resetConnectBackoff();
  }

  /** The status a sync fails with; fails the test if it succeeds. */
  Status syncFailure(SyncProjectStateRequest request, Metadata headers, Duration deadline) {
    try {
      SyncProjectStateResponse response = sync(request, headers, deadline);
      throw new AssertionError("expected the sync to fail, but it answered " + response);
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  Status syncFailure(String clientId, String... ids) {
    return syncFailure(request(clientId, ids), new Metadata(), DEADLINE);
  }

  static SyncProjectStateRequest request(String clientId, String... ids) {
    return SyncProjectStateRequest.newBuilder()
        .setClientId(clientId)
        .addAllLocalProjectIds(Arrays.asList(ids))
        .build();
  }

  /** A fresh stream that reads events as they come. */
  EventCollector stream(String clientId) {
    return stream(ProjectEventsRequest.newBuilder().setClientId(clientId).build(),
        new Metadata(), EventCollector.AUTOMATIC);
  }

  /** A stream resuming after {@code sinceEventId}, reading events as they come. */
  EventCollector resume(String clientId, String sinceEventId) {
    return stream(
        ProjectEventsRequest.newBuilder()
            .setClientId(clientId)
            .setSinceEventId(sinceEventId)
            .build(),
        new Metadata(),
        EventCollector.AUTOMATIC);
  }

  /**
   * A stream with the given headers; {@code initialRequest} messages asked for at first, or
   * {@link EventCollector#AUTOMATIC} to read everything as it comes.
   */
  EventCollector stream(ProjectEventsRequest request, Metadata headers, int initialRequest) {
    EventCollector collector = new EventCollector(initialRequest);
    EngramServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .projectEvents(request, collector);
    return collector;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
