package dev.engram.bridge.benchmarks.internal;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventType;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A minimal engram server on 127.0.0.1 that sends removal events as fast as each stream's flow
 * control allows, for the throughput and latency benchmarks. The testkit's fake server does much
 * more per event (history, live-project bookkeeping, one lock for everything); on two shared
 * cores that work would be most of what a benchmark measured, and both clients, the bridge and
 * the raw baseline, would look alike for it. Both consume this same server.
 *
 * <p>Events come from a fixed pool of distinct projects ({@code p0}, {@code p1}, ...; event id
 * = index + 1), cycled, so that a client that deduplicates with a window much smaller than the
 * pool sees each one as new. Every send is stamped with {@link System#nanoTime()} just before
 * it is handed to gRPC, for latency measurements in the same JVM.
 *
 * <p>All sending happens on one thread of the server's own, so sends to one stream are
 * serialized and each stream's {@code isReady()} is respected.
 *
 * <p>{@code SyncProjectState} answers from a prepared set ({@link #reportAsRemoved}): each id of
 * the request in it comes back as removed, and nothing else is looked at, so that a heartbeat
 * benchmark measures the client rather than the server's bookkeeping.
 */
public final class EventPushServer implements AutoCloseable {
  private final ProjectEvent[] pool;
  /** Written by the sender thread, read by measuring threads. */
  private final AtomicLongArray sentAtNanos;
  private final List<Stream> streams = new CopyOnWriteArrayList<>();
  private final Signal streamsChanged = new Signal();
  private final Clock wallClock = Clock.systemUTC();
  private volatile Set<String> removed = Set.of();
  private final ExecutorService sender = Executors.newSingleThreadExecutor(
      new ThreadFactoryBuilder().setNameFormat("push-server-sender").setDaemon(true).build());
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Server server;
  /** Index of the next event to send; touched only by the sender thread. */
  private long next;

  private EventPushServer(int poolSize) {
    this.pool = new ProjectEvent[poolSize];
    this.sentAtNanos = new AtomicLongArray(poolSize);
    for (int i = 0; i < poolSize; i++) {
      pool[i] = ProjectEvent.newBuilder()
          .setEventId(Integer.toString(i + 1))
          .setEventType(ProjectEventType.PROJECT_EVENT_TYPE_REMOVED)
          .setProjectId(projectId(i))
          .setTimestampUnixMs(1_767_225_600_000L)
          .setReason("deleted by owner")
          .build();
    }
    this.boss = new MultiThreadIoEventLoopGroup(1,
        new ThreadFactoryBuilder().setNameFormat("push-server-boss").setDaemon(true).build(),
        NioIoHandler.newFactory());
    this.workers = new MultiThreadIoEventLoopGroup(1,
        new ThreadFactoryBuilder().setNameFormat("push-server-io").setDaemon(true).build(),
        NioIoHandler.newFactory());
    this.server = NettyServerBuilder
        .forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelType(NioServerSocketChannel.class)
        .directExecutor()
        .addService(new Service())
        .build();
  }

  /** Starts a server on a free port of 127.0.0.1 with {@code poolSize} distinct events. */
  public static EventPushServer start(int poolSize) {
    EventPushServer pushServer = new EventPushServer(poolSize);
    try {
      pushServer.server.start();
    } catch (IOException e) {
      pushServer.close();
      throw new UncheckedIOException("could not listen on 127.0.0.1", e);
    }
    return pushServer;
  }

  /** The project id of pool entry {@code index}. */
  public static String projectId(int index) {
    return "p" + index;
  }

  /** The pool index of an event id this server sent. */
  public static int indexOfEventId(String eventId) {
    return Integer.parseInt(eventId) - 1;
  }

  /** The pool index of a project id this server sent. */
  public static int indexOfProjectId(String projectId) {
    return Integer.parseInt(projectId, 1, projectId.length(), 10);
  }

  public int port() {
    return server.getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public int poolSize() {
    return pool.length;
  }

  /** When pool entry {@code index} was last handed to gRPC, in {@link System#nanoTime()}. */
  public long sentAtNanos(int index) {
    return sentAtNanos.get(index);
  }

  /** How many streams are open. */
  public int openStreams() {
    return streams.size();
  }

  /** Waits until at least {@code count} streams are open. */
  public void awaitStreams(int count, Duration timeout)
      throws TimeoutException, InterruptedException {
    streamsChanged.await(() -> streams.size() >= count, timeout, count + " open streams");
  }

  /** Sends {@code count} more events to every open stream, as fast as each lets us. */
  public void push(int count) {
    sender.execute(() -> {
      for (Stream stream : streams) {
        stream.owed += count;
        stream.drain();
      }
    });
  }

  /** From now on, syncs report each of {@code projectIds} that they are asked about as removed. */
  public void reportAsRemoved(Collection<String> projectIds) {
    // A hash set: most ids asked about are not in it, and Set.copyOf's open addressing probes
    // on for a miss where a hash set's bucket is most often empty.
    removed = Collections.unmodifiableSet(new HashSet<>(projectIds));
  }

  /** Ends every open stream; clients see the stream completed. */
  public void completeStreams() {
    sender.execute(() -> {
      for (Stream stream : streams) {
        stream.call.onCompleted();
      }
      streams.clear();
      streamsChanged.changed();
    });
  }

  @Override
  public void close() {
    server.shutdownNow();
    sender.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5_000);
    workers.terminationFuture().awaitUninterruptibly(5_000);
  }

  /** One open stream and what is still owed to it. Sender thread only. */
  private final class Stream {
    final ServerCallStreamObserver<ProjectEvent> call;
    long owed;

    Stream(ServerCallStreamObserver<ProjectEvent> call) {
      this.call = call;
    }

    void drain() {
      while (owed > 0 && call.isReady() && !call.isCancelled()) {
        int index = (int) (next++ % pool.length);
        sentAtNanos.set(index, System.nanoTime());
        call.onNext(pool[index]);
        owed--;
      }
    }
  }

  private final class Service extends EngramServiceGrpc.EngramServiceImplBase {
    @Override
    public void projectEvents(
        ProjectEventsRequest request, StreamObserver<ProjectEvent> observer) {
      ServerCallStreamObserver<ProjectEvent> call =
          (ServerCallStreamObserver<ProjectEvent>) observer;
      Stream stream = new Stream(call);
      call.setOnCancelHandler(() -> sender.execute(() -> {
        streams.remove(stream);
        streamsChanged.changed();
      }));
      call.setOnReadyHandler(() -> sender.execute(stream::drain));
      sender.execute(() -> {
        streams.add(stream);
        streamsChanged.changed();
      });
    }

    @Override
    public void syncProjectState(
        SyncProjectStateRequest request, StreamObserver<SyncProjectStateResponse> observer) {
      Set<String> gone = removed;
      SyncProjectStateResponse.Builder response = SyncProjectStateResponse.newBuilder();
      for (String id : request.getLocalProjectIdsList()) {
        if (gone.contains(id)) {
          response.addRemoved(id);
        }
      }
      observer.onNext(response.setServerTimeUnixMs(wallClock.millis()).build());
      observer.onCompleted();
    }
  }
}
