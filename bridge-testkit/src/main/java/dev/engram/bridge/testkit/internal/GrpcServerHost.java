package dev.engram.bridge.testkit.internal;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * One run of the gRPC server, from start to stop, with every thread it uses.
 *
 * <p>Nothing is borrowed from gRPC's shared pools, whose threads outlive the server: the call
 * executor, the timer and (on loopback) Netty's event loops are made here, named after the
 * server, and shut down with it.
 */
public final class GrpcServerHost {
  /** How long in-flight calls get to finish before they are cancelled. */
  private static final Duration GRACE = Duration.ofSeconds(1);
  /** How long each group of threads gets to end once told to. */
  private static final Duration TERMINATION = Duration.ofSeconds(3);

  private final Server server;
  private final ExecutorService callExecutor;
  private final ScheduledExecutorService timer;
  private final List<EventLoopGroup> eventLoops;

  private GrpcServerHost(
      Server server,
      ExecutorService callExecutor,
      ScheduledExecutorService timer,
      List<EventLoopGroup> eventLoops) {
    this.server = server;
    this.callExecutor = callExecutor;
    this.timer = timer;
    this.eventLoops = eventLoops;
  }

  /** Starts an in-process server registered under {@code name}. */
  public static GrpcServerHost startInProcess(String name, ServerState state) throws IOException {
    ExecutorService callExecutor = callExecutor(name);
    ScheduledExecutorService timer = timer(name);
    Server server = InProcessServerBuilder.forName(name)
        .executor(callExecutor)
        .scheduledExecutorService(timer)
        .addService(FakeEngramService.definition(state, timer))
        .build();
    return start(server, callExecutor, timer, List.of());
  }

  /**
   * Starts a server on 127.0.0.1:{@code port} (0 for any free port), with TLS when {@code tls}
   * is not null.
   */
  public static GrpcServerHost startOnLoopback(
      String name, int port, KeyManagerFactory tls, ServerState state) throws IOException {
    ExecutorService callExecutor = callExecutor(name);
    ScheduledExecutorService timer = timer(name);
    EventLoopGroup boss = eventLoop(1, threads(name + "-boss-%d"));
    EventLoopGroup worker = eventLoop(2, threads(name + "-worker-%d"));
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    NettyServerBuilder builder = tls == null
        ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, credentials(tls));
    Server server = builder
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(worker)
        .channelType(NioServerSocketChannel.class)
        // A restart binds the same port while closed connections may linger in TIME_WAIT.
        .withOption(ChannelOption.SO_REUSEADDR, true)
        .executor(callExecutor)
        .addService(FakeEngramService.definition(state, timer))
        .build();
    return start(server, callExecutor, timer, List.of(boss, worker));
  }

  /** The port the server listens on; -1 in-process. */
  public int port() {
    return server.getPort();
  }

  /**
   * Stops the server and every thread it used: waits a short grace for calls to end, then
   * cancels the rest.
   *
   * @throws IllegalStateException naming what did not end in time
   */
  public void stop() {
    List<String> stuck = new ArrayList<>();
    server.shutdown();
    if (!awaitServer(GRACE)) {
      server.shutdownNow();
      if (!awaitServer(TERMINATION)) {
        stuck.add("the gRPC server");
      }
    }
    shutDownThreads(stuck);
    if (!stuck.isEmpty()) {
      throw new IllegalStateException(
          String.join(", ", stuck) + " did not stop within " + TERMINATION
              + "; a call handler or client callback may be blocking a server thread");
    }
  }

  private void shutDownThreads(List<String> stuck) {
    timer.shutdownNow();
    callExecutor.shutdownNow();
    eventLoops.forEach(group -> group.shutdownGracefully(0, TERMINATION.toMillis(),
        TimeUnit.MILLISECONDS));
    if (!awaitExecutor(timer)) {
      stuck.add("the timer thread");
    }
    if (!awaitExecutor(callExecutor)) {
      stuck.add("the call executor");
    }
    for (EventLoopGroup group : eventLoops) {
      if (!group.terminationFuture().awaitUninterruptibly(TERMINATION.toMillis())) {
        stuck.add("a Netty event loop");
      }
    }
  }

  private static GrpcServerHost start(
      Server server,
      ExecutorService callExecutor,
      ScheduledExecutorService timer,
      List<EventLoopGroup> eventLoops)
      throws IOException {
    GrpcServerHost host = new GrpcServerHost(server, callExecutor, timer, eventLoops);
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      host.shutDownThreads(new ArrayList<>());
      throw e;
    }
    return host;
  }

  private boolean awaitServer(Duration timeout) {
    try {
      return server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return server.isTerminated();
    }
  }

  private static boolean awaitExecutor(ExecutorService executor) {
    try {
      return executor.awaitTermination(TERMINATION.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return executor.isTerminated();
    }
  }

  private static ServerCredentials credentials(KeyManagerFactory tls) {
    return TlsServerCredentials.newBuilder().keyManager(tls.getKeyManagers()).build();
  }

  private static ExecutorService callExecutor(String name) {
    // Handlers never block (delays go through the timer), but a client running on the same
    // thread in-process might: a cached pool cannot be starved by it.
    return Executors.newCachedThreadPool(threads(name + "-call-%d"));
  }

  private static ScheduledExecutorService timer(String name) {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, threads(name + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private static EventLoopGroup eventLoop(int threads, ThreadFactory factory) {
    return new MultiThreadIoEventLoopGroup(threads, factory, NioIoHandler.newFactory());
  }

  private static ThreadFactory threads(String nameFormat) {
    return new ThreadFactoryBuilder().setNameFormat(nameFormat).setDaemon(true).build();
  }
}
