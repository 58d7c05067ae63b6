package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;

/**
 * A small, scriptable engram.v1 server for transport tests, in-process or on a 127.0.0.1 port
 * (plaintext or TLS). It records each stream and sync with its {@code authorization} header and
 * hands streams to the test to drive. Its threads are its own (named {@code test-server-...})
 * and end on {@link #close()}, so thread-leak checks see only the client's.
 *
 * <p>Integration tests through the whole bridge use the testkit's fake server instead; this one
 * exists to test the transport alone, down to flow control and exact status codes.
 */
public final class TestEngramServer implements AutoCloseable {
  /** Where the server listens. */
  public enum Kind {
    IN_PROCESS,
    LOOPBACK
  }

  /** How the server answers a sync. Throw a {@link StatusRuntimeException} to fail the call. */
  @FunctionalInterface
  public interface SyncAnswer {
    SyncProjectStateResponse answer(SyncProjectStateRequest request);
  }

  /** A sync as the server received it. */
  public record RecordedSync(SyncProjectStateRequest request, String authorization) {}

  /** Server time in every default sync answer. */
  public static final long SERVER_TIME_UNIX_MS = 1_700_000_000_000L;
  /** The default answer: ids starting with "gone-" are removed, with "stale-" unknown. */
  public static final SyncAnswer DEFAULT_SYNC_ANSWER = request -> SyncProjectStateResponse
      .newBuilder()
      .addAllRemoved(request.getLocalProjectIdsList().stream()
          .filter(id -> id.startsWith("gone-")).toList())
      .addAllUnknown(request.getLocalProjectIdsList().stream()
          .filter(id -> id.startsWith("stale-")).toList())
      .setServerTimeUnixMs(SERVER_TIME_UNIX_MS)
      .build();

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final AtomicInteger serverIds = new AtomicInteger();
  private static final Context.Key<String> AUTHORIZATION = Context.key("authorization");
  private static final Metadata.Key<String> AUTHORIZATION_HEADER =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Kind kind;
  private final String name = "test-engram-" + serverIds.incrementAndGet();
  private final KeyManagerFactory tlsKeys;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final EventLoopGroup boss;
  private final EventLoopGroup worker;
  private final BlockingQueue<OpenedStream> streams = new LinkedBlockingQueue<>();
  private final List<OpenedStream> allStreams = new CopyOnWriteArrayList<>();
  private final BlockingQueue<RecordedSync> syncs = new LinkedBlockingQueue<>();
  private final List<StreamObserver<SyncProjectStateResponse>> stalledSyncs =
      new CopyOnWriteArrayList<>();
  private final AtomicReference<SyncAnswer> syncAnswer = new AtomicReference<>(DEFAULT_SYNC_ANSWER);
  private volatile boolean stallSyncs;
  private final AtomicInteger syncCancellations = new AtomicInteger();
  private Server server;
  private int port;

  private TestEngramServer(Kind kind, KeyManagerFactory tlsKeys) {
    this.kind = kind;
    this.tlsKeys = tlsKeys;
    this.executor = Executors.newFixedThreadPool(2, threads(name + "-call"));
    this.timer = Executors.newSingleThreadScheduledExecutor(threads(name + "-timer"));
    this.boss = kind == Kind.LOOPBACK
        ? new MultiThreadIoEventLoopGroup(1, threads(name + "-boss"), NioIoHandler.newFactory())
        : null;
    this.worker = kind == Kind.LOOPBACK
        ? new MultiThreadIoEventLoopGroup(1, threads(name + "-io"), NioIoHandler.newFactory())
        : null;
  }

  public static TestEngramServer start(Kind kind) {
    return kind == Kind.IN_PROCESS ? inProcess() : loopback();
  }

  public static TestEngramServer inProcess() {
    return new TestEngramServer(Kind.IN_PROCESS, null).startOn(0);
  }

  public static TestEngramServer loopback() {
    return new TestEngramServer(Kind.LOOPBACK, null).startOn(0);
  }

  /** A TLS server on 127.0.0.1 presenting the key and certificate of {@code keys}. */
  public static TestEngramServer loopbackTls(KeyManagerFactory keys) {
    return new TestEngramServer(Kind.LOOPBACK, keys).startOn(0);
  }

  private TestEngramServer startOn(int requestedPort) {
    try {
      server = builder(requestedPort)
          .addService(ServerInterceptors.intercept(new Service(), new AuthorizationRecorder()))
          .executor(executor)
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("the test server could not start", e);
    }
    port = kind == Kind.LOOPBACK ? server.getPort() : -1;
    return this;
  }

  private io.grpc.ServerBuilder<?> builder(int requestedPort) {
    if (kind == Kind.IN_PROCESS) {
      return InProcessServerBuilder.forName(name).scheduledExecutorService(timer);
    }
    ServerCredentials credentials = tlsKeys == null
        ? InsecureServerCredentials.create()
        : TlsServerCredentials.newBuilder().keyManager(tlsKeys.getKeyManagers()).build();
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", requestedPort),
            credentials)
        .channelType(NioServerSocketChannel.class)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(worker);
  }

  /** The URL a transport uses to reach this server. */
  public String url() {
    if (kind == Kind.IN_PROCESS) {
      return "inprocess://" + name;
    }
    return (tlsKeys == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  public Kind kind() {
    return kind;
  }

  /** The loopback port; -1 in-process. */
  public int port() {
    return port;
  }

  /** Answers every later sync with {@code answer}. */
  public void answerSyncsWith(SyncAnswer answer) {
    syncAnswer.set(answer);
  }

  /** Fails every later sync with {@code status}. */
  public void failSyncsWith(Status status) {
    syncAnswer.set(request -> {
      throw status.asRuntimeException();
    });
  }

  /** Never answers later syncs, so that the client's deadline has to end them. */
  public void stallSyncs() {
    stallSyncs = true;
  }

  /** The next stream opened by a client, waiting a few seconds at most. */
  public OpenedStream awaitStream() {
    return poll(streams, "a client to open a stream");
  }

  /** The next sync received, waiting a few seconds at most. */
  public RecordedSync awaitSync() {
    return poll(syncs, "a client to call SyncProjectState");
  }

  /** How many stalled syncs the client cancelled. */
  public int syncCancellations() {
    return syncCancellations.get();
  }

  /** Every stream opened so far. */
  public List<OpenedStream> streams() {
    return List.copyOf(allStreams);
  }

  /** Stops serving (the port is released) without stopping this server's threads. */
  public void stop() {
    server.shutdownNow();
    try {
      server.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Serves again, on the same port for a loopback server. */
  public void restart() {
    startOn(kind == Kind.LOOPBACK ? port : 0);
  }

  @Override
  public void close() {
    stop();
    if (boss != null) {
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      worker.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      awaitQuietly(boss);
      awaitQuietly(worker);
    }
    executor.shutdownNow();
    timer.shutdownNow();
    awaitQuietly(executor);
    awaitQuietly(timer);
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T poll(BlockingQueue<T> queue, String what) {
    try {
      T next = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError("waited " + WAIT + " for " + what + "; nothing came");
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private final class Service extends EngramServiceGrpc.EngramServiceImplBase {
    @Override
    public void syncProjectState(
        SyncProjectStateRequest request, StreamObserver<SyncProjectStateResponse> response) {
      syncs.add(new RecordedSync(request, AUTHORIZATION.get()));
      if (stallSyncs) {
        stalledSyncs.add(response);
        ((ServerCallStreamObserver<SyncProjectStateResponse>) response)
            .setOnCancelHandler(syncCancellations::incrementAndGet);
        return;
      }
      try {
        response.onNext(syncAnswer.get().answer(request));
        response.onCompleted();
      } catch (StatusRuntimeException e) {
        response.onError(e);
      }
    }

    @Override
    public void projectEvents(ProjectEventsRequest request, StreamObserver<ProjectEvent> response) {
      OpenedStream stream = new OpenedStream(
          request, AUTHORIZATION.get(), (ServerCallStreamObserver<ProjectEvent>) response);
      allStreams.add(stream);
      streams.add(stream);
    }
  }

  private static final class AuthorizationRecorder implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      Context context =
          Context.current().withValue(AUTHORIZATION, headers.get(AUTHORIZATION_HEADER));
      return Contexts.interceptCall(context, call, headers, next);
    }
  }
}
