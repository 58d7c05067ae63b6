package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;

/**
 * The server's end of one {@code ProjectEvents} stream, driven by the test. Every method is safe
 * to call from the test thread while gRPC calls the stream's handlers: one lock orders them,
 * since a server call is not thread-safe.
 */
public final class OpenedStream {
  private final ProjectEventsRequest request;
  private final String authorization;
  private final ServerCallStreamObserver<ProjectEvent> observer;
  private final CompletableFuture<Void> cancelledByClient = new CompletableFuture<>();
  private final Object lock = new Object();
  private Iterator<ProjectEvent> backlog;
  private int sent;
  private int timesNotReady;
  private boolean ended;

  OpenedStream(
      ProjectEventsRequest request,
      String authorization,
      ServerCallStreamObserver<ProjectEvent> observer) {
    this.request = request;
    this.authorization = authorization;
    this.observer = observer;
    observer.setOnCancelHandler(() -> cancelledByClient.complete(null));
    observer.setOnReadyHandler(this::drain);
  }

  public ProjectEventsRequest request() {
    return request;
  }

  /** The {@code authorization} header the call carried, or null. */
  public String authorization() {
    return authorization;
  }

  /** Sends at once, whatever the client's demand (gRPC buffers what the client did not ask for). */
  public void send(ProjectEvent event) {
    synchronized (lock) {
      observer.onNext(event);
      sent++;
    }
  }

  /**
   * Sends from {@code events} only while the call is ready, as a well-behaved server does, and
   * resumes whenever gRPC says it is ready again.
   */
  public void sendWhileReady(Iterator<ProjectEvent> events) {
    synchronized (lock) {
      backlog = events;
    }
    drain();
  }

  private void drain() {
    synchronized (lock) {
      if (backlog == null || ended) {
        return;
      }
      while (backlog.hasNext() && observer.isReady()) {
        observer.onNext(backlog.next());
        sent++;
      }
      if (backlog.hasNext()) {
        timesNotReady++;
      }
    }
  }

  /** Events handed to gRPC so far. */
  public int sent() {
    synchronized (lock) {
      return sent;
    }
  }

  /** How often the server had events to send but the call was not ready (backpressure). */
  public int timesNotReady() {
    synchronized (lock) {
      return timesNotReady;
    }
  }

  public boolean isReady() {
    synchronized (lock) {
      return observer.isReady();
    }
  }

  public void complete() {
    synchronized (lock) {
      ended = true;
      observer.onCompleted();
    }
  }

  public void fail(Status status) {
    synchronized (lock) {
      ended = true;
      observer.onError(status.asRuntimeException());
    }
  }

  /** Completes when the client cancels the call (or the connection goes away). */
  public CompletableFuture<Void> cancelledByClient() {
    return cancelledByClient;
  }
}
