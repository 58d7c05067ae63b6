package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.TransportSettings;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A channel the transport built from its settings, with the threads behind it.
 *
 * <p>gRPC's defaults share event loops, timers and an unbounded cached executor across the
 * process and release them a while after the last channel closes, so their threads outlive the
 * transport. Here every thread is the transport's own: callbacks, name resolution and TLS work
 * on the callback pool, I/O and timers on one event loop thread (an in-process channel has a
 * timer thread instead), and all of them end when the transport closes.
 */
public final class OwnedChannel {
  /** The scheme that reaches a server in the same JVM by name (the URL's host). */
  public static final String IN_PROCESS_SCHEME = "inprocess";

  private final ManagedChannel channel;
  private final Runnable releaseThreads;

  private OwnedChannel(ManagedChannel channel, Runnable releaseThreads) {
    this.channel = channel;
    this.releaseThreads = releaseThreads;
  }

  /**
   * Builds the channel; nothing connects until the first call.
   *
   * @throws IllegalArgumentException if the TLS settings cannot work (see {@link PemTrustStore})
   */
  public static OwnedChannel open(
      TransportSettings settings, TransportThreads threads, Executor callbacks) {
    ServerUrl url = settings.url();
    if (url.scheme().equals(IN_PROCESS_SCHEME)) {
      return inProcess(settings, threads, callbacks);
    }
    return netty(settings, threads, callbacks);
  }

  private static OwnedChannel inProcess(
      TransportSettings settings, TransportThreads threads, Executor callbacks) {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, threads.factory("timer"));
    timer.setRemoveOnCancelPolicy(true);
    InProcessChannelBuilder builder = InProcessChannelBuilder.forName(settings.url().host())
        .scheduledExecutorService(timer)
        .maxInboundMessageSize(settings.maxInboundMessageBytes());
    ManagedChannel channel = configure(builder, settings, callbacks).build();
    return new OwnedChannel(channel, () -> {
      timer.shutdownNow();
      awaitQuietly(timer, Shutdown.STEP);
    });
  }

  private static OwnedChannel netty(
      TransportSettings settings, TransportThreads threads, Executor callbacks) {
    ChannelCredentials credentials = credentials(settings);
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, threads.factory("io"), NioIoHandler.newFactory());
    try {
      NettyChannelBuilder builder =
          NettyChannelBuilder.forTarget(dnsTarget(settings.url()), credentials)
              .eventLoopGroup(group)
              .channelType(NioSocketChannel.class)
              .maxInboundMessageSize(settings.maxInboundMessageBytes());
      ManagedChannel channel = configure(builder, settings, callbacks).build();
      return new OwnedChannel(channel, () -> {
        group.shutdownGracefully(0, Shutdown.STEP.toMillis(), TimeUnit.MILLISECONDS);
        awaitQuietly(group, Shutdown.STEP);
      });
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  /**
   * An explicit {@code dns:///host:port} target, so that no host is ever taken for a target
   * scheme (as {@code unix:443} would be), with IPv6 brackets escaped as a URI path requires.
   */
  static String dnsTarget(ServerUrl url) {
    try {
      return new URI("dns", "", "/" + url.authority(), null).toString();
    } catch (URISyntaxException e) {
      // ServerUrl has parsed the host already; this cannot happen for a URL it accepted.
      throw new IllegalArgumentException("the server URL " + url + " has no usable host", e);
    }
  }

  private static <T extends ManagedChannelBuilder<T>> T configure(
      T builder, TransportSettings settings, Executor callbacks) {
    builder.executor(callbacks).offloadExecutor(callbacks);
    // Off unless configured: a stock grpc-go server answers pings more often than every
    // 5 minutes with GOAWAY too_many_pings. Only pings while a call is open.
    settings.keepAliveTime().ifPresent(interval ->
        builder.keepAliveTime(interval.toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveWithoutCalls(false));
    return builder;
  }

  private static ChannelCredentials credentials(TransportSettings settings) {
    if (!settings.url().usesTls()) {
      return InsecureChannelCredentials.create();
    }
    if (settings.trustedCertificates().isEmpty()) {
      return TlsChannelCredentials.create();
    }
    return TlsChannelCredentials.newBuilder()
        .trustManager(PemTrustStore.trustManagers(settings.trustedCertificates().get()))
        .build();
  }

  public ManagedChannel channel() {
    return channel;
  }

  /**
   * Shuts the channel down, gracefully for {@code grace} and then forcibly, and stops its
   * threads.
   *
   * @return whether the channel terminated in time
   */
  public boolean close(Duration grace) {
    channel.shutdown();
    boolean terminated = awaitQuietly(channel, grace);
    if (!terminated) {
      channel.shutdownNow();
      terminated = awaitQuietly(channel, Shutdown.STEP);
    }
    releaseThreads.run();
    return terminated;
  }

  private static boolean awaitQuietly(ManagedChannel channel, Duration bound) {
    try {
      return channel.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void awaitQuietly(ExecutorService pool, Duration bound) {
    try {
      pool.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
