package dev.engram.bridge.benchmarks.internal;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.testkit.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A server that is only up or down, for the reconnect-herd simulation: no sockets, no events.
 * Every client gets its own {@link Transport}; each stream open is an attempt, counted at the
 * fake time it happens. While the server is down an open fails at once with {@code
 * UNAVAILABLE} (a refused connection); while it is up the stream stays open until {@link
 * #goDown()} ends every open stream at the same instant.
 *
 * <p>Single-threaded: everything runs on the thread that advances the fake clock.
 */
public final class SimulatedServer {
  private final FakeClock clock;
  private final AttemptHistogram attempts;
  private final List<ClientTransport> transports = new ArrayList<>();
  private boolean up = true;

  public SimulatedServer(FakeClock clock, AttemptHistogram attempts) {
    this.clock = clock;
    this.attempts = attempts;
  }

  /** A transport for one more client. */
  public Transport newTransport() {
    ClientTransport transport = new ClientTransport();
    transports.add(transport);
    return transport;
  }

  /** The server dies: every open stream fails now, and opens fail until {@link #comeBack()}. */
  public void goDown() {
    up = false;
    for (ClientTransport transport : transports) {
      transport.dropStream();
    }
  }

  public void comeBack() {
    up = true;
  }

  /** How many clients have a stream open now. */
  public int openStreams() {
    int open = 0;
    for (ClientTransport transport : transports) {
      if (transport.open != null) {
        open++;
      }
    }
    return open;
  }

  private static TransportException unavailable() {
    return new TransportException(
        FailureKind.RETRYABLE, "UNAVAILABLE", "connection refused (simulated)");
  }

  private final class ClientTransport implements Transport {
    private OpenStream open;

    @Override
    public EventStream openEventStream(
        String clientId, String resumeEventId, EventStreamObserver observer) {
      attempts.record(clock.nanoTime());
      OpenStream stream = new OpenStream(this, observer);
      if (up) {
        open = stream;
      } else {
        stream.ended = true;
        observer.onFailure(unavailable());
      }
      return stream;
    }

    void dropStream() {
      OpenStream stream = open;
      open = null;
      if (stream != null && !stream.ended) {
        stream.ended = true;
        stream.observer.onFailure(unavailable());
      }
    }

    @Override
    public CompletableFuture<SyncResult> sync(SyncRequest request, Duration deadline) {
      return up
          ? CompletableFuture.completedFuture(
              SyncResult.of(List.of(), List.of(), clock.now().toEpochMilli()))
          : CompletableFuture.failedFuture(unavailable());
    }

    @Override
    public void close() {
      open = null;
    }
  }

  private static final class OpenStream implements EventStream {
    private final ClientTransport owner;
    private final EventStreamObserver observer;
    private boolean ended;

    OpenStream(ClientTransport owner, EventStreamObserver observer) {
      this.owner = owner;
      this.observer = observer;
    }

    @Override
    public void request(int count) {}

    @Override
    public void cancel() {
      ended = true;
      if (owner.open == this) {
        owner.open = null;
      }
    }
  }
}
