package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An engine stand-in for transport tests: records every callback, the thread it ran on, and any
 * breach of the observer contract (an event beyond the demand it asked for, a callback after the
 * stream ended, two callbacks at once).
 *
 * <p>Ask for events through {@link #request(EventStream, int)} so that it can count demand.
 */
public final class RecordingObserver implements EventStreamObserver {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final BlockingQueue<ServerEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> endings = new LinkedBlockingQueue<>();
  private final List<String> callbacks = new ArrayList<>();
  private final List<String> breaches = new ArrayList<>();
  private final List<String> threadNames = new ArrayList<>();
  private final AtomicInteger inCallback = new AtomicInteger();
  private long demand;
  private boolean ended;
  private volatile Runnable onEachEvent = () -> {};

  /** Asks the stream for {@code count} more events, counting the demand. */
  public void request(EventStream stream, int count) {
    synchronized (this) {
      demand += count;
    }
    stream.request(count);
  }

  /** Runs {@code action} inside every later onEvent (for example to block, or to cancel). */
  public void onEachEvent(Runnable action) {
    onEachEvent = action;
  }

  @Override
  public void onEvent(ServerEvent event) {
    enter("onEvent");
    try {
      synchronized (this) {
        if (--demand < 0) {
          breaches.add("an event arrived beyond the demand: " + event);
        }
      }
      events.add(event);
      onEachEvent.run();
    } finally {
      leave();
    }
  }

  @Override
  public void onCompleted() {
    enter("onCompleted");
    try {
      end();
      endings.add("completed");
    } finally {
      leave();
    }
  }

  @Override
  public void onFailure(TransportException failure) {
    enter("onFailure");
    try {
      end();
      endings.add(failure);
    } finally {
      leave();
    }
  }

  private void enter(String callback) {
    if (inCallback.incrementAndGet() != 1) {
      record("two callbacks ran at once (" + callback + ")");
    }
    synchronized (this) {
      callbacks.add(callback);
      threadNames.add(Thread.currentThread().getName());
      if (ended) {
        breaches.add(callback + " after the stream ended");
      }
    }
  }

  private void leave() {
    inCallback.decrementAndGet();
  }

  private synchronized void end() {
    ended = true;
  }

  private synchronized void record(String breach) {
    breaches.add(breach);
  }

  /** Waits for the next event. */
  public ServerEvent awaitEvent() {
    return poll(events, "an event");
  }

  /** Waits for the next {@code count} events. */
  public List<ServerEvent> awaitEvents(int count) {
    List<ServerEvent> received = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      received.add(poll(events, "event " + (i + 1) + " of " + count));
    }
    return received;
  }

  /** Waits for the stream to fail, and returns the failure. */
  public TransportException awaitFailure() {
    Object ending = poll(endings, "the stream to end");
    if (!(ending instanceof TransportException)) {
      throw new AssertionError("expected the stream to fail, but it " + ending);
    }
    return (TransportException) ending;
  }

  /** Waits for the stream to complete normally. */
  public void awaitCompleted() {
    Object ending = poll(endings, "the stream to end");
    if (!"completed".equals(ending)) {
      throw new AssertionError("expected the stream to complete, but it failed: " + ending);
    }
  }

  /** Events received and not yet taken by an await method. */
  public List<ServerEvent> pendingEvents() {
    return List.copyOf(events);
  }

  /** Every callback so far, in order. */
  public synchronized List<String> callbacks() {
    return List.copyOf(callbacks);
  }

  /** The threads callbacks ran on. */
  public synchronized List<String> threadNames() {
    return List.copyOf(threadNames);
  }

  /** Breaches of the observer contract; empty when the transport behaved. */
  public synchronized List<String> breaches() {
    return List.copyOf(breaches);
  }

  private static <T> T poll(BlockingQueue<T> queue, String what) {
    try {
      T next = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError("waited " + WAIT + " for " + what + "; it did not come");
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }
}
