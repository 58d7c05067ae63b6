package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One event stream of a {@link FakeTransport}. Honours flow control like a real transport:
 * events emitted beyond the demand the engine requested wait here until it asks for more.
 */
public final class FakeStream implements EventStream {
  private final String clientId;
  private final String resumeEventId;
  private final EventStreamObserver observer;
  private final Deque<ServerEvent> held = new ArrayDeque<>();
  private long requested;
  private final List<Integer> requestCalls = new ArrayList<>();
  private long delivered;
  private boolean cancelled;
  private boolean ended;

  FakeStream(String clientId, String resumeEventId, EventStreamObserver observer) {
    this.clientId = clientId;
    this.resumeEventId = resumeEventId;
    this.observer = observer;
  }

  public String clientId() {
    return clientId;
  }

  /** The resume id the engine sent, empty for a fresh stream. */
  public String resumeEventId() {
    return resumeEventId;
  }

  @Override
  public synchronized void request(int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("request(" + count + ")");
    }
    requested += count;
    requestCalls.add(count);
    flush();
  }

  @Override
  public synchronized void cancel() {
    cancelled = true;
  }

  /** Sends an event now if the engine asked for one, else holds it until it does. */
  public synchronized FakeStream emit(ServerEvent event) {
    if (ended || cancelled) {
      throw new IllegalStateException("the stream is over (ended=" + ended + ")");
    }
    held.add(event);
    flush();
    return this;
  }

  /**
   * Sends events as one run, the way a transport that reads them in bursts does: what the
   * engine's demand allows goes in one {@link EventStreamObserver#onEvents} call, the rest is
   * held.
   */
  public synchronized FakeStream emitRun(List<ServerEvent> events) {
    if (ended || cancelled) {
      throw new IllegalStateException("the stream is over (ended=" + ended + ")");
    }
    held.addAll(events);
    List<ServerEvent> run = new ArrayList<>();
    while (!held.isEmpty() && delivered < requested) {
      delivered++;
      run.add(held.poll());
    }
    if (!run.isEmpty()) {
      observer.onEvents(run);
    }
    return this;
  }

  public FakeStream emitRemoval(String eventId, String projectId) {
    return emit(ServerEvent.removal(eventId, projectId, "deleted"));
  }

  /** The server ends the stream cleanly. */
  public synchronized void complete() {
    end();
    observer.onCompleted();
  }

  public synchronized void fail(FailureKind kind, String status) {
    end();
    observer.onFailure(new TransportException(kind, status, "scripted " + status));
  }

  public synchronized long requested() {
    return requested;
  }

  /** The count of every request() call, in order. */
  public synchronized List<Integer> requestCalls() {
    return List.copyOf(requestCalls);
  }

  public synchronized long delivered() {
    return delivered;
  }

  /** Events emitted but not yet delivered, for want of demand. */
  public synchronized int held() {
    return held.size();
  }

  public synchronized boolean isCancelled() {
    return cancelled;
  }

  public synchronized boolean isOpen() {
    return !ended && !cancelled;
  }

  private void end() {
    if (ended || cancelled) {
      throw new IllegalStateException("the stream is already over");
    }
    ended = true;
  }

  private void flush() {
    while (!held.isEmpty() && delivered < requested && !cancelled && !ended) {
      delivered++;
      observer.onEvent(held.poll());
    }
  }
}
