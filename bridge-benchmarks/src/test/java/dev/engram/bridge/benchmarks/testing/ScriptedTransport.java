package dev.engram.bridge.benchmarks.testing;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.Transport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory transport for the scale tests: one server-side set of removed projects that syncs
 * answer from, and streams that honour the engine's demand the way gRPC flow control does
 * (events beyond it wait on the server side, where they cost the bridge nothing).
 */
public final class ScriptedTransport implements Transport {
  private final Clock serverClock;
  private final Set<String> removed = ConcurrentHashMap.newKeySet();
  private final List<Stream> streams = new ArrayList<>();
  private final AtomicInteger syncCalls = new AtomicInteger();

  public ScriptedTransport(Clock serverClock) {
    this.serverClock = serverClock;
  }

  @Override
  public synchronized EventStream openEventStream(
      String clientId, String resumeEventId, EventStreamObserver observer) {
    Stream stream = new Stream(observer);
    streams.add(stream);
    return stream;
  }

  /** The stream opened last. */
  public synchronized Stream latestStream() {
    if (streams.isEmpty()) {
      throw new AssertionError("the bridge opened no stream");
    }
    return streams.get(streams.size() - 1);
  }

  /** Marks projects removed on the server: syncs report them from now on. */
  public void serverRemoved(Iterable<String> projectIds) {
    projectIds.forEach(removed::add);
  }

  @Override
  public CompletableFuture<SyncResult> sync(SyncRequest request, Duration deadline) {
    syncCalls.incrementAndGet();
    List<String> gone = new ArrayList<>();
    for (String id : request.localProjectIds()) {
      if (removed.contains(id)) {
        gone.add(id);
      }
    }
    return CompletableFuture.completedFuture(
        SyncResult.of(gone, List.of(), serverClock.millis()));
  }

  public int syncCalls() {
    return syncCalls.get();
  }

  @Override
  public void close() {}

  /** One stream: events wait here until the engine asks for them. */
  public static final class Stream implements EventStream {
    private final EventStreamObserver observer;
    private final ArrayDeque<ServerEvent> held = new ArrayDeque<>();
    private long requested;
    /** Written under the lock; read without it by probes on other threads. */
    private volatile long delivered;
    private long maxOutstandingDemand;
    private boolean cancelled;

    Stream(EventStreamObserver observer) {
      this.observer = observer;
    }

    @Override
    public synchronized void request(int count) {
      requested += count;
      maxOutstandingDemand = Math.max(maxOutstandingDemand, requested - delivered);
      flush();
    }

    @Override
    public synchronized void cancel() {
      cancelled = true;
    }

    /** The server sends events; those beyond the engine's demand wait. */
    public synchronized void emit(List<ServerEvent> events) {
      held.addAll(events);
      flush();
    }

    /** Events handed to the engine so far; never blocks. */
    public long delivered() {
      return delivered;
    }

    /** Events sent but held back for want of demand. */
    public synchronized int held() {
      return held.size();
    }

    /** The most the engine ever had requested and not yet received. */
    public synchronized long maxOutstandingDemand() {
      return maxOutstandingDemand;
    }

    private void flush() {
      // Delivered under the lock, one at a time, as a transport must; the engine's observer
      // only queues work in its own context, so it never waits for another thread here.
      while (!cancelled && delivered < requested && !held.isEmpty()) {
        delivered++;
        observer.onEvent(held.poll());
      }
    }
  }
}
