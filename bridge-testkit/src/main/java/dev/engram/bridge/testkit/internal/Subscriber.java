package dev.engram.bridge.testkit.internal;

import dev.engram.bridge.proto.v1.ProjectEvent;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open {@code ProjectEvents} stream: a bounded queue of live events, drained into the call
 * only while the call is ready (the client has asked for more and the transport has room).
 *
 * <p>{@link #offer} is called under the server state's lock, so events enter the queue in the
 * order they were sent. Draining and closing hold only this subscriber's own lock, never the
 * state's: a client running on the same thread (in-process, direct executor) may call back into
 * the server without deadlock.
 */
final class Subscriber {
  private final ServerCallStreamObserver<ProjectEvent> call;
  private final int capacity;
  private final Object callLock = new Object();
  /** Replayed history, sent before any live event; not bounded, as a stored log would not be. */
  private final Queue<ProjectEvent> replay = new ConcurrentLinkedQueue<>();
  private final Queue<ProjectEvent> live = new ConcurrentLinkedQueue<>();
  private final AtomicInteger liveSize = new AtomicInteger();
  private volatile boolean closed;

  Subscriber(ServerCallStreamObserver<ProjectEvent> call, int capacity) {
    this.call = call;
    this.capacity = capacity;
  }

  /** Queues events to replay; called once, before the subscriber receives live events. */
  void preload(List<ProjectEvent> events) {
    // No lock: this runs under the state's lock, and the state's lock is never taken while
    // holding this subscriber's.
    replay.addAll(events);
  }

  /**
   * Queues a live event.
   *
   * @return false if the queue was full and the event was dropped
   */
  boolean offer(ProjectEvent event) {
    if (closed) {
      // The stream ended and is on its way out of the subscriber set: not a drop.
      return true;
    }
    if (liveSize.get() >= capacity) {
      return false;
    }
    live.add(event);
    liveSize.incrementAndGet();
    return true;
  }

  /** Sends queued events while the call is ready. */
  void drain() {
    synchronized (callLock) {
      drainLocked();
    }
  }

  /** Sends what the call is ready for, then ends the stream with {@code status}. */
  void close(Status status) {
    synchronized (callLock) {
      if (closed) {
        return;
      }
      drainLocked();
      closed = true;
      try {
        if (status.isOk()) {
          call.onCompleted();
        } else {
          call.onError(status.asRuntimeException());
        }
      } catch (RuntimeException e) {
        // The client cancelled at the same moment; there is no one left to tell.
      }
    }
  }

  /** Marks the stream ended by the client, so nothing more is sent or queued. */
  void cancelled() {
    closed = true;
  }

  boolean isCancelled() {
    return call.isCancelled();
  }

  private void drainLocked() {
    while (!closed && call.isReady()) {
      ProjectEvent next = replay.poll();
      if (next == null) {
        next = live.poll();
        if (next == null) {
          return;
        }
        liveSize.decrementAndGet();
      }
      try {
        call.onNext(next);
      } catch (RuntimeException e) {
        // Cancelled between isReady() and onNext(): the cancel handler cleans up.
        closed = true;
        return;
      }
    }
  }
}
