package dev.engram.bridge.testkit.internal;

import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code engram.v1.EngramService} over a {@link ServerState}. One instance per run of the gRPC
 * server; the state outlives it.
 */
final class FakeEngramService extends EngramServiceGrpc.EngramServiceImplBase {
  private final ServerState state;
  /** Owned by the server's host; delayed answers run on it. */
  private final ScheduledExecutorService timer;

  private FakeEngramService(ServerState state, ScheduledExecutorService timer) {
    this.state = state;
    this.timer = timer;
  }

  /** The service with its token check and header recording in front. */
  static ServerServiceDefinition definition(ServerState state, ScheduledExecutorService timer) {
    // The last interceptor runs first: a call without the right token is never recorded.
    return ServerInterceptors.intercept(
        new FakeEngramService(state, timer), new HeaderCapture(), new BearerTokenCheck(state));
  }

  @Override
  public void syncProjectState(
      SyncProjectStateRequest request, StreamObserver<SyncProjectStateResponse> observer) {
    ServerCallStreamObserver<SyncProjectStateResponse> call =
        (ServerCallStreamObserver<SyncProjectStateResponse>) observer;
    PendingSync pending = new PendingSync(call);
    call.setOnCancelHandler(() -> state.release(pending));

    SyncPlan plan = state.onSync(request, HeaderCapture.current(), pending);
    if (plan.isStall()) {
      return;
    }
    Runnable answer = () -> {
      plan.deliver(pending);
      state.release(pending);
    };
    if (plan.delay().isZero()) {
      answer.run();
      return;
    }
    try {
      timer.schedule(answer, plan.delay().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      pending.fail(Status.UNAVAILABLE.withDescription("the fake engram server is stopping"));
      state.release(pending);
    }
  }

  @Override
  public void projectEvents(ProjectEventsRequest request, StreamObserver<ProjectEvent> observer) {
    ServerCallStreamObserver<ProjectEvent> call = (ServerCallStreamObserver<ProjectEvent>) observer;
    Subscriber subscriber = new Subscriber(call, state.subscriberBuffer());
    // Both handlers are set before the subscriber becomes visible to emitting threads: with a
    // cancel handler in place, sending to a cancelled call is a no-op rather than an exception.
    call.setOnCancelHandler(() -> {
      subscriber.cancelled();
      state.unsubscribe(subscriber);
    });
    call.setOnReadyHandler(subscriber::drain);

    Optional<Status> rejection = state.openStream(request, HeaderCapture.current(), subscriber);
    if (rejection.isPresent()) {
      subscriber.close(rejection.get());
      return;
    }
    if (subscriber.isCancelled()) {
      subscriber.cancelled();
      state.unsubscribe(subscriber);
      return;
    }
    subscriber.drain();
  }
}
