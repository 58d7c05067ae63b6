package dev.engram.bridge.grpc.internal;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.grpc.testing.Events;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * How one stream call hands what gRPC reports to the engine: gRPC's callbacks only queue, and one
 * task on the callback pool (a hand-run executor here) delivers everything queued so far.
 */
class EventStreamCallTest {
  private final HandRunExecutor pool = new HandRunExecutor();
  private final FakeCall grpcCall = new FakeCall();

  @Test
  void eventsThatArriveTogether_areHandedOverAsOneRun_inOrder_byOneTask() {
    RunObserver observer = new RunObserver();
    EventStreamCall call = open(observer);

    call.onMessage(Events.removal("1", "p1"));
    call.onMessage(Events.removal("2", "p2"));
    call.onMessage(Events.removal("3", "p3"));

    assertThat(observer.calls).isEmpty();
    assertThat(pool.tasks).hasSize(1);
    pool.runAll();
    assertThat(observer.calls).containsExactly("run 1,2,3");
  }

  @Test
  void endOfTheCall_isDeliveredAfterTheEventsBeforeIt_andFinishesTheCall() {
    RunObserver observer = new RunObserver();
    EventStreamCall call = open(observer);

    call.onMessage(Events.removal("1", "p1"));
    call.onMessage(Events.removal("2", "p2"));
    call.onClose(Status.UNAVAILABLE, new Metadata());
    assertThat(call.finished().isDone()).isFalse();
    pool.runAll();

    assertThat(observer.calls).containsExactly("run 1,2", "failure UNAVAILABLE").inOrder();
    assertThat(call.finished().isDone()).isTrue();
  }

  @Test
  void aSingleEvent_goesToOnEvent() {
    RunObserver observer = new RunObserver();
    EventStreamCall call = open(observer);

    call.onMessage(Events.removal("1", "p1"));
    pool.runAll();
    call.onMessage(Events.removal("2", "p2"));
    pool.runAll();

    assertThat(observer.calls).containsExactly("event 1", "event 2").inOrder();
  }

  @Test
  void observerWithoutItsOwnOnEvents_getsEventsOneByOne_andNothingAfterItCancels() {
    List<String> seen = new ArrayList<>();
    EventStreamCall[] holder = new EventStreamCall[1];
    EventStreamObserver oneByOne = new EventStreamObserver() {
      @Override
      public void onEvent(ServerEvent event) {
        seen.add(event.eventId());
        holder[0].cancel();
      }

      @Override
      public void onCompleted() {
        seen.add("completed");
      }

      @Override
      public void onFailure(TransportException failure) {
        seen.add("failure");
      }
    };
    holder[0] = open(oneByOne);

    holder[0].onMessage(Events.removal("1", "p1"));
    holder[0].onMessage(Events.removal("2", "p2"));
    pool.runAll();
    holder[0].onClose(Status.CANCELLED, new Metadata());
    pool.runAll();

    assertThat(seen).containsExactly("1");
    assertThat(grpcCall.cancelled).isTrue();
    assertThat(holder[0].finished().isDone()).isTrue();
  }

  @Test
  void observerThatThrows_cancelsTheCall_dropsTheRestOfTheRun_andHearsTheFailure() {
    RunObserver observer = new RunObserver();
    observer.throwOnRun = true;
    EventStreamCall call = open(observer);

    call.onMessage(Events.removal("1", "p1"));
    call.onMessage(Events.removal("2", "p2"));
    pool.runAll();
    assertThat(grpcCall.cancelled).isTrue();
    assertThat(grpcCall.cancelCause).hasMessageThat().isEqualTo("engine bug");

    // gRPC then closes the call it was asked to cancel.
    call.onMessage(Events.removal("3", "p3"));
    call.onClose(Status.CANCELLED, new Metadata());
    pool.runAll();

    assertThat(observer.calls).containsExactly("run 1,2", "failure CANCELLED").inOrder();
  }

  @Test
  void afterOurCancel_nothingQueuedIsDelivered() {
    RunObserver observer = new RunObserver();
    EventStreamCall call = open(observer);

    call.onMessage(Events.removal("1", "p1"));
    call.cancel();
    call.onClose(Status.CANCELLED, new Metadata());
    pool.runAll();

    assertThat(observer.calls).isEmpty();
    assertThat(call.finished().isDone()).isTrue();
  }

  private EventStreamCall open(EventStreamObserver observer) {
    EventStreamCall call = new EventStreamCall(grpcCall, observer, false,
        FailureClassifier.masking(Optional.empty()), pool, finished -> { });
    call.start(ProjectEventsRequest.newBuilder().setClientId("c").build());
    return call;
  }

  /** Records runs and single events; can throw on a run. */
  private static final class RunObserver implements EventStreamObserver {
    final List<String> calls = new ArrayList<>();
    boolean throwOnRun;

    @Override
    public void onEvent(ServerEvent event) {
      calls.add("event " + event.eventId());
    }

    @Override
    public void onEvents(List<ServerEvent> events) {
      List<String> ids = new ArrayList<>();
      events.forEach(event -> ids.add(event.eventId()));
      calls.add("run " + String.join(",", ids));
      if (throwOnRun) {
        throw new IllegalStateException("engine bug");
      }
    }

    @Override
    public void onCompleted() {
      calls.add("completed");
    }

    @Override
    public void onFailure(TransportException failure) {
      calls.add("failure " + failure.status());
    }
  }

  /** Runs its tasks only when told, on the test's thread. */
  private static final class HandRunExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run();
      }
    }
  }

  /** A gRPC call that remembers what was asked of it. */
  private static final class FakeCall extends ClientCall<ProjectEventsRequest, ProjectEvent> {
    boolean cancelled;
    Throwable cancelCause;

    @Override
    public void start(Listener<ProjectEvent> listener, Metadata headers) {}

    @Override
    public void request(int numMessages) {}

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = true;
      cancelCause = cause;
    }

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(ProjectEventsRequest message) {}
  }
}
