package dev.engram.bridge.benchmarks.internal;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The baseline: a plain grpc-java client of the {@code ProjectEvents} stream with good settings.
 * It keeps a window of messages requested (asking for one more per message received) and runs
 * its callbacks on the channel's I/O thread (a direct executor), so no message hops threads.
 * What it does with each event is up to the caller, and should be what the bridge's handler in
 * the same benchmark does.
 */
public final class RawEventClient implements AutoCloseable {
  private final EventLoopGroup io;
  private final ManagedChannel channel;
  private final ClientCall<ProjectEventsRequest, ProjectEvent> call;

  /**
   * Opens a channel to 127.0.0.1:{@code port} and starts the stream.
   *
   * @param window how many messages to keep requested
   * @param callbacks where callbacks run, or null for the I/O thread itself (the good setting;
   *     an executor here is only for measuring what a thread hop per message costs)
   * @param onEvent called for every event
   */
  public RawEventClient(
      int port, int window, Executor callbacks, Consumer<ProjectEvent> onEvent) {
    this.io = new MultiThreadIoEventLoopGroup(1,
        new ThreadFactoryBuilder().setNameFormat("raw-client-io").setDaemon(true).build(),
        NioIoHandler.newFactory());
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .eventLoopGroup(io)
        .channelType(NioSocketChannel.class);
    this.channel = (callbacks == null ? builder.directExecutor() : builder.executor(callbacks))
        .build();
    this.call = channel.newCall(EngramServiceGrpc.getProjectEventsMethod(), CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(ProjectEvent message) {
        onEvent.accept(message);
        call.request(1);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {}
    }, new Metadata());
    call.sendMessage(ProjectEventsRequest.newBuilder().setClientId("raw-baseline").build());
    call.halfClose();
    call.request(window);
  }

  @Override
  public void close() {
    call.cancel("benchmark over", null);
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }
}
