package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import dev.engram.bridge.api.transport.ServerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code ProjectEvents} stream: gRPC's callbacks in, the engine's observer out.
 *
 * <p>Flow control is manual: gRPC is never asked for a message the engine has not asked for, so
 * a slow engine holds the messages back at the server (HTTP/2 flow control) rather than in a
 * buffer here.
 *
 * <p>Threads: gRPC runs this listener's callbacks on its I/O thread (the call has a direct
 * executor), where they do nothing but queue what arrived in an inbox. One task at a time on the
 * transport's callback pool empties the inbox and hands the events to the observer, a whole run
 * of them in one {@link EventStreamObserver#onEvents} call, then the end of the stream. So the
 * engine's code never runs on the I/O thread, and a burst of events costs one hand-off to the
 * pool instead of one per event. The inbox holds at most the events the engine asked for.
 *
 * <p>{@link #request} and {@link #cancel} come from any thread; a lock keeps them apart from
 * {@link #start} because a {@link ClientCall} is not thread-safe (except for request). The lock
 * is never held while the observer runs, so an engine that takes its own locks in a callback and
 * while cancelling cannot deadlock with us. The price: a cancel from another thread cannot stop a
 * delivery that has already passed its check of {@link #silenced}.
 */
public final class EventStreamCall extends ClientCall.Listener<ProjectEvent>
    implements EventStream, ActiveCall {
  private static final Logger logger = LoggerFactory.getLogger(EventStreamCall.class);

  private final ClientCall<ProjectEventsRequest, ProjectEvent> call;
  private final EventStreamObserver observer;
  private final boolean resumed;
  private final FailureClassifier classifier;
  private final Consumer<EventStreamCall> onFinished;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final Object lock = new Object();
  private final Executor deliveries;
  /** Whether the observer handles a run itself; if not, events go one by one. */
  private final boolean takesRuns;
  /** Messages and, last, the call's end, in the order gRPC reported them. */
  private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();
  /** Set on the delivering thread when the observer threw: the rest of the run is dropped. */
  private boolean observerFailed;

  /** Set once our side cancelled; guarded by {@link #lock}. */
  private boolean cancelled;
  /** Whether {@link #start} reached gRPC; guarded by {@link #lock}. */
  private boolean started;
  /** Read before every callback: once set, the observer hears nothing more. */
  private volatile boolean silenced;

  public EventStreamCall(
      ClientCall<ProjectEventsRequest, ProjectEvent> call,
      EventStreamObserver observer,
      boolean resumed,
      FailureClassifier classifier,
      Executor deliveries,
      Consumer<EventStreamCall> onFinished) {
    this.call = call;
    this.deliveries = deliveries;
    this.takesRuns = overridesOnEvents(observer);
    this.observer = observer;
    this.resumed = resumed;
    this.classifier = classifier;
    this.onFinished = onFinished;
  }

  /** Starts the call with no message requested yet; the engine asks with {@link #request}. */
  public void start(ProjectEventsRequest request) {
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      started = true;
      call.start(this, new Metadata());
      call.sendMessage(request);
      call.halfClose();
    }
  }

  @Override
  public void request(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count is " + count + "; expected zero or more");
    }
    if (count == 0) {
      return;
    }
    synchronized (lock) {
      // After a cancel gRPC rejects request(); demand on a dead stream means nothing anyway.
      if (!cancelled) {
        call.request(count);
      }
    }
  }

  @Override
  public void cancel() {
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      silenced = true;
      call.cancel("cancelled by the client", null);
      if (!started) {
        // gRPC calls back only a started call; nothing else will mark this one finished.
        markFinished();
      }
    }
    logger.atDebug().log("event stream cancelled by the client");
  }

  /**
   * The transport is closing under a stream the engine still holds: end the call and tell the
   * engine, which would otherwise wait for events on a stream that no longer exists. When the
   * engine cancelled first (its own close does), it hears nothing, as {@link #cancel} promises.
   */
  @Override
  public void abandon() {
    boolean engineStillListening;
    synchronized (lock) {
      engineStillListening = !cancelled;
    }
    cancel();
    if (engineStillListening) {
      observer.onFailure(new TransportException(FailureKind.RETRYABLE, "CANCELLED",
          "the grpc transport was closed while this stream was open"));
    }
  }

  @Override
  public CompletableFuture<Void> finished() {
    return finished;
  }

  @Override
  public void onMessage(ProjectEvent message) {
    if (silenced) {
      return;
    }
    inbox.add(message);
    scheduleDelivery();
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (silenced) {
      markFinished();
      return;
    }
    inbox.add(new Ended(status));
    scheduleDelivery();
  }

  /**
   * Whether {@code observer} has its own {@link EventStreamObserver#onEvents}. The default one
   * calls onEvent for each event and so cannot stop at a cancel made from inside onEvent, which
   * our promise (nothing after a cancel) needs; such observers get the events one by one.
   */
  private static boolean overridesOnEvents(EventStreamObserver observer) {
    try {
      return observer.getClass().getMethod("onEvents", List.class).getDeclaringClass()
          != EventStreamObserver.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** The call's end, queued behind its last message. */
  private record Ended(Status status) {}

  private void scheduleDelivery() {
    if (delivering.compareAndSet(false, true)) {
      deliveries.execute(this::deliver);
    }
  }

  /** Empties the inbox into the observer; runs on the callback pool, one task at a time. */
  private void deliver() {
    while (true) {
      List<ServerEvent> run = new ArrayList<>();
      Object next;
      while ((next = inbox.poll()) != null) {
        if (next instanceof Ended ended) {
          hand(run);
          run = new ArrayList<>();
          end(ended.status());
        } else if (!silenced && !observerFailed) {
          run.add(WireMapping.event((ProjectEvent) next));
        }
      }
      hand(run);
      delivering.set(false);
      // An item queued after the last poll but before the flag was cleared needs this thread.
      if (inbox.isEmpty() || !delivering.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private void hand(List<ServerEvent> run) {
    if (run.isEmpty() || silenced || observerFailed) {
      return;
    }
    try {
      if (takesRuns && run.size() > 1) {
        observer.onEvents(run);
      } else {
        for (ServerEvent event : run) {
          if (silenced) {
            // Cancelled from inside onEvent: nothing follows a cancel.
            break;
          }
          observer.onEvent(event);
        }
      }
    } catch (RuntimeException | Error e) {
      // As gRPC does when a callback throws: the call is cancelled, and the observer hears of
      // it as a failure when gRPC closes the call.
      observerFailed = true;
      logger.atWarn().setCause(e).addKeyValue("observer", observer.getClass().getName())
          .log("the event stream observer threw; the stream is ended");
      call.cancel("the event stream observer threw", e);
      if (e instanceof VirtualMachineError fatal) {
        throw fatal;
      }
    }
  }

  private void end(Status status) {
    try {
      if (silenced) {
        return;
      }
      logger.atDebug().addKeyValue("status", status.getCode()).addKeyValue("resumed", resumed)
          .log("event stream ended");
      if (status.isOk()) {
        observer.onCompleted();
      } else {
        observer.onFailure(classifier.forStream(status, resumed));
      }
    } finally {
      markFinished();
    }
  }

  private void markFinished() {
    onFinished.accept(this);
    finished.complete(null);
  }

  @Override
  public String toString() {
    return "EventStreamCall{resumed=" + resumed + ", cancelled=" + silenced + "}";
  }
}
