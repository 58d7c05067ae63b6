package dev.engram.bridge.grpc;

import com.google.common.util.concurrent.MoreExecutors;
import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.internal.ActiveCall;
import dev.engram.bridge.grpc.internal.BearerTokenInterceptor;
import dev.engram.bridge.grpc.internal.EngramMethods;
import dev.engram.bridge.grpc.internal.EventStreamCall;
import dev.engram.bridge.grpc.internal.FailureClassifier;
import dev.engram.bridge.grpc.internal.OwnedChannel;
import dev.engram.bridge.grpc.internal.Shutdown;
import dev.engram.bridge.grpc.internal.SyncCall;
import dev.engram.bridge.grpc.internal.TransportThreads;
import dev.engram.bridge.grpc.internal.WireMapping;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engram transport over grpc-java: one channel to one server, carrying the {@code
 * ProjectEvents} stream and the {@code SyncProjectState} calls.
 *
 * <h2>Building one</h2>
 *
 * <ul>
 *   <li>{@link #create(TransportSettings)} (what {@link GrpcTransportProvider} does) builds and
 *       owns its channel: {@code http} and {@code grpc} URLs are plaintext, {@code https} and
 *       {@code grpcs} use TLS with the JDK trust store or the PEM file of {@link
 *       TransportSettings#trustedCertificates()}, and {@code inprocess://name} reaches a gRPC
 *       in-process server of that name, serializing every message as a socket would. {@link
 *       #close()} shuts the channel down.
 *   <li>{@link #forChannel(ManagedChannel, Optional)} uses a channel the caller built and keeps
 *       owning: {@link #close()} ends this transport's calls but never shuts that channel down.
 * </ul>
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li>With a token, every call carries {@code authorization: Bearer <token>}. The token is
 *       never logged, put in a message or shown by {@code toString()}; a server that echoes it in
 *       a status description has it masked. When it would travel in plaintext to a host that is
 *       not loopback, {@link #create} logs one warning. Do not enable DEBUG logging for {@code
 *       io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler}: that is grpc-java's HTTP/2 frame
 *       logger, which prints every header, this one included.
 *   <li>Keepalive pings are off unless {@link TransportSettings#keepAliveTime()} is set. Stock
 *       grpc-go servers answer pings more frequent than every 5 minutes ({@link
 *       #SERVER_FRIENDLY_KEEPALIVE}) with GOAWAY {@code too_many_pings}, so a shorter interval
 *       draws a warning. Pings are sent only while a call is open.
 *   <li>Inbound messages are limited to {@link TransportSettings#maxInboundMessageBytes()} (4 MiB
 *       by default) on sockets; a larger one fails the call as retryable {@code
 *       RESOURCE_EXHAUSTED}. The in-process transport does not enforce the limit.
 *   <li>Events are delivered only within the demand of {@link EventStream#request(int)}, which
 *       goes straight to gRPC's flow control: what the engine has not asked for stays with the
 *       server.
 *   <li>Callbacks run on a pool of two daemon threads owned by this transport (named {@code
 *       engram-grpc-<n>-callback-<m>}), not on gRPC's unbounded default executor. A transport
 *       built with {@link #create} also has its own I/O thread ({@code -io-}) or, in-process,
 *       timer thread ({@code -timer-}). {@link #close()} ends them all.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * Each failed call reaches the engine as a {@code TransportException} whose {@code status()} is
 * the gRPC code's name and whose message is the status description (plus the client-side cause,
 * such as a refused connection or a rejected certificate, when gRPC failed the call itself);
 * trailers are never read. The kind:
 *
 * <ul>
 *   <li>{@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}: {@code AUTHENTICATION}.
 *   <li>{@code OUT_OF_RANGE} on a stream opened with a resume id: {@code RESUME_UNSUPPORTED}.
 *   <li>{@code UNIMPLEMENTED}: {@code UNIMPLEMENTED}.
 *   <li>{@code INVALID_ARGUMENT}: {@code INVALID_ARGUMENT}.
 *   <li>Every other code is {@code RETRYABLE}: {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED},
 *       {@code RESOURCE_EXHAUSTED}, {@code ABORTED}, {@code INTERNAL}, {@code UNKNOWN}, {@code
 *       CANCELLED} that the engine did not cause (some servers end streams with it when they are
 *       shut down), {@code OUT_OF_RANGE} without a resume id, and the codes the engram contract
 *       does not use ({@code FAILED_PRECONDITION}, {@code NOT_FOUND}, {@code ALREADY_EXISTS},
 *       {@code DATA_LOSS}). Retrying is the safe default because the heartbeat reconciles
 *       whatever the stream missed, while every other kind turns something off.
 * </ul>
 *
 * <p>A stream cancelled by the engine ({@link EventStream#cancel()}) reports nothing more: the
 * {@code CANCELLED} that gRPC delivers afterwards is swallowed. A stream the engine still holds
 * when {@link #close()} runs (someone closed the transport under a running bridge) fails once
 * with a retryable {@code CANCELLED}, so the engine knows it is gone. A cancel made
 * inside a callback is exact. A cancel from another thread cannot stop a callback that has
 * already begun on the callback pool: that one may still reach the observer while or just after
 * the cancel runs (waiting for it instead could deadlock an engine that holds its own lock in
 * both places).
 *
 * <p>Thread-safe.
 */
public final class GrpcTransport implements Transport {
  /** The shortest keepalive interval a stock grpc-go server accepts without complaint. */
  public static final Duration SERVER_FRIENDLY_KEEPALIVE = Duration.ofMinutes(5);

  private static final Logger logger = LoggerFactory.getLogger(GrpcTransport.class);
  /** Enough for one stream and a sync at once; gRPC serializes each call's callbacks anyway. */
  private static final int CALLBACK_THREADS = 2;

  private final String description;
  private final ManagedChannel channel;
  private final Channel calls;
  private final OwnedChannel owned;
  private final TransportThreads threads;
  private final ExecutorService callbackPool;
  private final EngramMethods methods;
  private final FailureClassifier classifier;
  private final Set<ActiveCall> active = ConcurrentHashMap.newKeySet();
  private final Object lifecycle = new Object();
  /** Guarded by {@link #lifecycle}. */
  private boolean closed;

  private GrpcTransport(
      String description,
      ManagedChannel channel,
      OwnedChannel owned,
      TransportThreads threads,
      ExecutorService callbackPool,
      EngramMethods methods,
      Optional<AccessToken> token) {
    this.description = description;
    this.channel = channel;
    this.owned = owned;
    this.threads = threads;
    this.callbackPool = callbackPool;
    this.methods = methods;
    this.classifier = FailureClassifier.masking(token);
    this.calls = token.isPresent()
        ? ClientInterceptors.intercept(channel, new BearerTokenInterceptor(token.get()))
        : channel;
  }

  /**
   * Builds a transport with a channel of its own, closed by {@link #close()}. Nothing connects
   * until the first call.
   *
   * @throws IllegalArgumentException if the URL's scheme is not one of {@link
   *     GrpcTransportProvider#SCHEMES}, or the TLS settings cannot work (a CA file that is
   *     missing, unreadable or holds no certificate); the message says what to fix
   */
  public static GrpcTransport create(TransportSettings settings) {
    Objects.requireNonNull(settings, "settings");
    ServerUrl url = settings.url();
    GrpcTransportProvider.checkSupported(url);
    warnAboutRiskySettings(settings);

    TransportThreads threads = TransportThreads.forNewTransport();
    ExecutorService callbackPool = threads.callbackPool(CALLBACK_THREADS);
    OwnedChannel owned;
    try {
      owned = OwnedChannel.open(settings, threads, callbackPool);
    } catch (RuntimeException e) {
      callbackPool.shutdownNow();
      throw e;
    }
    boolean inProcess = url.scheme().equals(OwnedChannel.IN_PROCESS_SCHEME);
    logger.atDebug().addKeyValue("url", url).addKeyValue("tls", url.usesTls())
        .addKeyValue("token", settings.token().isPresent())
        .log("grpc transport created");
    return new GrpcTransport(
        "GrpcTransport{url=" + url + ", channel=owned, token="
            + (settings.token().isPresent() ? "set" : "none") + "}",
        owned.channel(),
        owned,
        threads,
        callbackPool,
        inProcess ? EngramMethods.serializing() : EngramMethods.generated(),
        settings.token());
  }

  /**
   * Builds a transport over a channel the caller owns. {@link #close()} ends this transport's
   * calls and threads but leaves the channel open. The caller chose the channel's security, so
   * no plaintext warning is given here.
   *
   * @param token the token to send on every call, or empty for none
   */
  public static GrpcTransport forChannel(ManagedChannel channel, Optional<AccessToken> token) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(token, "token");
    TransportThreads threads = TransportThreads.forNewTransport();
    return new GrpcTransport(
        "GrpcTransport{target=" + withoutUserInfo(channel.authority())
            + ", channel=handed-in, token=" + (token.isPresent() ? "set" : "none") + "}",
        channel,
        null,
        threads,
        threads.callbackPool(CALLBACK_THREADS),
        EngramMethods.generated(),
        token);
  }

  /**
   * {@inheritDoc}
   *
   * <p>No event is requested until the engine calls {@link EventStream#request(int)}.
   *
   * @throws IllegalStateException if this transport is closed
   */
  @Override
  public EventStream openEventStream(
      String clientId, String resumeEventId, EventStreamObserver observer) {
    Objects.requireNonNull(observer, "observer");
    requireClientId(clientId);
    boolean resumed = resumeEventId != null && !resumeEventId.isEmpty();
    EventStreamCall stream = new EventStreamCall(
        // gRPC's callbacks only queue what arrived; the call delivers on our pool itself.
        calls.newCall(methods.projectEvents(),
            CallOptions.DEFAULT.withExecutor(MoreExecutors.directExecutor())),
        observer, resumed, classifier, callbackPool, active::remove);
    register(stream);

    stream.start(WireMapping.streamRequest(clientId, resumeEventId));
    logger.atDebug().addKeyValue("client_id", clientId).addKeyValue("resumed", resumed)
        .log("event stream opened");
    return stream;
  }

  /**
   * {@inheritDoc}
   *
   * <p>After {@link #close()} the future fails at once with a retryable {@code CANCELLED}.
   */
  @Override
  public CompletableFuture<SyncResult> sync(SyncRequest request, Duration deadline) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(deadline, "deadline");
    CallOptions options = CallOptions.DEFAULT.withExecutor(callbackPool)
        .withDeadlineAfter(saturatedNanos(deadline), TimeUnit.NANOSECONDS);
    SyncCall call =
        new SyncCall(calls.newCall(methods.sync(), options), classifier, active::remove);
    try {
      register(call);
    } catch (IllegalStateException e) {
      call.abandon();
      return call.result();
    }
    call.start(WireMapping.syncRequest(request));
    return call.result();
  }

  /** Drops the channel's reconnect backoff, so that the engine's own is the only one. */
  @Override
  public void resetConnectBackoff() {
    channel.resetConnectBackoff();
  }

  /**
   * Ends every open call (the engine hears nothing more of its streams; pending syncs fail as
   * retryable), shuts down the channel if this transport built it, and stops this transport's
   * threads. Idempotent; returns within a few seconds even if the server does not answer.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    // A close from one of our own callbacks must not wait for that very thread.
    boolean ownThread = threads.isCurrentThreadOurs();
    List<ActiveCall> open = List.copyOf(active);
    open.forEach(ActiveCall::abandon);
    if (!ownThread) {
      awaitFinished(open);
    }
    boolean channelTerminated = owned == null || owned.close(Shutdown.GRACE);

    callbackPool.shutdown();
    boolean threadsEnded = ownThread || (awaitPool() && threads.awaitAllEnded(Shutdown.STEP));
    if (!channelTerminated || !threadsEnded) {
      logger.atWarn().addKeyValue("transport", description)
          .addKeyValue("channel_terminated", channelTerminated)
          .addKeyValue("threads_ended", threadsEnded)
          .log("grpc transport closed, but not everything ended in time");
    } else {
      logger.atDebug().addKeyValue("transport", description).log("grpc transport closed");
    }
  }

  @Override
  public String toString() {
    return description;
  }

  /** For tests in this package: the channel calls go through. */
  ManagedChannel channel() {
    return channel;
  }

  private void register(ActiveCall call) {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("this grpc transport is closed; create a new one");
      }
      active.add(call);
    }
  }

  private static void awaitFinished(List<ActiveCall> calls) {
    CompletableFuture<?>[] finished =
        calls.stream().map(ActiveCall::finished).toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(finished)
          .get(Shutdown.GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Bounded on purpose: a call that does not report its end in time is left to the
      // forced shutdown below.
      logger.atDebug().log("some calls did not report their end in time");
    }
  }

  private boolean awaitPool() {
    try {
      if (callbackPool.awaitTermination(Shutdown.STEP.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    callbackPool.shutdownNow();
    return false;
  }

  private static void warnAboutRiskySettings(TransportSettings settings) {
    ServerUrl url = settings.url();
    boolean inProcess = url.scheme().equals(OwnedChannel.IN_PROCESS_SCHEME);
    if (settings.token().isPresent() && !url.usesTls() && !inProcess && !url.isLoopback()) {
      logger.atWarn().addKeyValue("url", url)
          .log("the token will be sent in plaintext to a host that is not loopback; anyone on "
              + "the path can read it. Use an https or grpcs URL");
    }
    settings.keepAliveTime()
        .filter(interval -> interval.compareTo(SERVER_FRIENDLY_KEEPALIVE) < 0)
        .ifPresent(interval -> logger.atWarn()
            .addKeyValue("keep_alive_ms", interval.toMillis())
            .addKeyValue("recommended_min_ms", SERVER_FRIENDLY_KEEPALIVE.toMillis())
            .log("keepAliveTime is below 5 minutes; stock grpc-go servers close connections "
                + "that ping this often (GOAWAY too_many_pings). Use 5 minutes or more, or "
                + "leave it unset"));
    if (settings.trustedCertificates().isPresent() && !url.usesTls()) {
      logger.atWarn().addKeyValue("url", url)
          .log("trustedCertificates (ENGRAM_TLS_CA) is set but the URL is not https or grpcs; "
              + "the CA file is ignored");
    }
  }

  private static void requireClientId(String clientId) {
    if (clientId == null || clientId.isEmpty()) {
      throw new IllegalArgumentException(
          "clientId is empty; expected this client instance's id (the server requires one)");
    }
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static String withoutUserInfo(String authority) {
    if (authority == null) {
      return "unknown";
    }
    int at = authority.lastIndexOf('@');
    return at < 0 ? authority : "***" + authority.substring(at);
  }
}
