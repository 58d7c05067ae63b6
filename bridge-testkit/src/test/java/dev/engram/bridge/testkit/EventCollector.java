package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The client side of one {@code ProjectEvents} stream: what arrived and how it ended. */
final class EventCollector implements ClientResponseObserver<ProjectEventsRequest, ProjectEvent> {
  /** Read every event as it comes (gRPC's automatic flow control). */
  static final int AUTOMATIC = -1;
  static final Duration WAIT = Duration.ofSeconds(5);

  private final int initialRequest;
  private final LinkedBlockingQueue<ProjectEvent> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private volatile ClientCallStreamObserver<ProjectEventsRequest> call;

  EventCollector(int initialRequest) {
    this.initialRequest = initialRequest;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ProjectEventsRequest> call) {
    this.call = call;
    if (initialRequest != AUTOMATIC) {
      call.disableAutoRequestWithInitial(initialRequest);
    }
  }

  @Override
  public void onNext(ProjectEvent event) {
    events.add(event);
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
  }

  /** Asks the server for {@code count} more events. */
  void request(int count) {
    call.request(count);
  }

  void cancel() {
    call.cancel("the test cancelled the stream", null);
  }

  /** The next {@code count} events, waiting for each. */
  List<ProjectEvent> take(int count) throws InterruptedException {
    List<ProjectEvent> taken = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ProjectEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertWithMessage("event %s of %s (got %s)", i + 1, count, taken).that(event).isNotNull();
      taken.add(event);
    }
    return taken;
  }

  ProjectEvent take() throws InterruptedException {
    return take(1).get(0);
  }

  /** The next event if one arrives within {@code window}, else null. */
  ProjectEvent poll(Duration window) throws InterruptedException {
    return events.poll(window.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How the stream ended, waiting for it to end. */
  Status awaitEnd() throws InterruptedException, ExecutionException {
    try {
      return end.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the stream did not end within " + WAIT, e);
    }
  }

  boolean hasEnded() {
    return end.isDone();
  }
}
