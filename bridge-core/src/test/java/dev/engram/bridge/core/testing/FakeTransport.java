package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.EventStreamObserver;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An in-memory {@link Transport}: records every stream opened (client id, resume id, demand) and
 * every sync call, and answers as scripted. By default a sync answers like the real server:
 * the requested ids the server has removed, those it does not know, and its clock.
 */
public final class FakeTransport implements Transport {
  /** One recorded sync call and the future handed back for it. */
  public record SyncCall(
      SyncRequest request, Duration deadline, CompletableFuture<SyncResult> future) {}

  private final Clock serverClock;
  private final List<FakeStream> streams = new ArrayList<>();
  private final Deque<TransportException> openFailures = new ArrayDeque<>();
  private final Deque<RuntimeException> openThrows = new ArrayDeque<>();
  private final List<SyncCall> syncCalls = new ArrayList<>();
  private final Deque<Function<SyncRequest, CompletableFuture<SyncResult>>> scriptedSyncs =
      new ArrayDeque<>();
  private final Set<String> removed = new HashSet<>();
  private final Set<String> unknown = new HashSet<>();
  private Duration serverClockOffset = Duration.ZERO;
  private int resetConnectBackoffCalls;
  private int openCalls;
  private boolean closed;

  /** @param serverClock what the server's clock reads (before any offset) */
  public FakeTransport(Clock serverClock) {
    this.serverClock = serverClock;
  }

  @Override
  public synchronized EventStream openEventStream(
      String clientId, String resumeEventId, EventStreamObserver observer) {
    openCalls++;
    RuntimeException thrown = openThrows.poll();
    if (thrown != null) {
      throw thrown;
    }
    FakeStream stream = new FakeStream(clientId, resumeEventId, observer);
    streams.add(stream);
    TransportException failure = openFailures.poll();
    if (failure != null) {
      stream.fail(failure.kind(), failure.status());
    }
    return stream;
  }

  /** The next stream opened fails at once with this kind and status. */
  public synchronized FakeTransport failNextOpen(FailureKind kind, String status) {
    openFailures.add(new TransportException(kind, status, "scripted " + status));
    return this;
  }

  /** The next call to open a stream throws instead of returning one. */
  public synchronized FakeTransport throwOnNextOpen(RuntimeException error) {
    openThrows.add(error);
    return this;
  }

  /** How many times the engine asked for a stream, including attempts that threw. */
  public synchronized int openCalls() {
    return openCalls;
  }

  public synchronized List<FakeStream> streams() {
    return List.copyOf(streams);
  }

  public synchronized FakeStream latestStream() {
    if (streams.isEmpty()) {
      throw new AssertionError("no stream was opened");
    }
    return streams.get(streams.size() - 1);
  }

  public synchronized int streamCount() {
    return streams.size();
  }

  @Override
  public synchronized CompletableFuture<SyncResult> sync(SyncRequest request, Duration deadline) {
    Function<SyncRequest, CompletableFuture<SyncResult>> script = scriptedSyncs.poll();
    CompletableFuture<SyncResult> future =
        script != null ? script.apply(request) : CompletableFuture.completedFuture(answer(request));
    syncCalls.add(new SyncCall(request, deadline, future));
    return future;
  }

  /** The answer of a server holding the scripted removed and unknown sets. */
  public synchronized SyncResult answer(SyncRequest request) {
    List<String> gone = new ArrayList<>();
    List<String> strangers = new ArrayList<>();
    for (String id : request.localProjectIds()) {
      if (removed.contains(id)) {
        gone.add(id);
      } else if (unknown.contains(id)) {
        strangers.add(id);
      }
    }
    long now = serverClock.instant().plus(serverClockOffset).toEpochMilli();
    return SyncResult.of(gone, strangers, now);
  }

  /** Projects the server reports as removed when asked about them. */
  public synchronized FakeTransport serverRemoved(String... ids) {
    removed.addAll(List.of(ids));
    return this;
  }

  public synchronized FakeTransport serverRemoved(Iterable<String> ids) {
    ids.forEach(removed::add);
    return this;
  }

  /** Projects the server does not know. */
  public synchronized FakeTransport serverUnknown(String... ids) {
    unknown.clear();
    unknown.addAll(List.of(ids));
    return this;
  }

  /** How far the server's clock is ahead of ours. */
  public synchronized FakeTransport serverClockOffset(Duration offset) {
    serverClockOffset = offset;
    return this;
  }

  public synchronized FakeTransport failNextSync(FailureKind kind, String status) {
    scriptedSyncs.add(request -> CompletableFuture.failedFuture(
        new TransportException(kind, status, "scripted " + status)));
    return this;
  }

  /** The next sync never completes (a transport that ignores its own deadline). */
  public synchronized FakeTransport hangNextSync() {
    scriptedSyncs.add(request -> new CompletableFuture<>());
    return this;
  }

  /** The next sync call throws instead of returning a future. */
  public synchronized FakeTransport throwOnNextSync(RuntimeException error) {
    scriptedSyncs.add(request -> {
      throw error;
    });
    return this;
  }

  /** The next sync answers with {@code result} whatever it asked. */
  public synchronized FakeTransport answerNextSync(SyncResult result) {
    scriptedSyncs.add(request -> CompletableFuture.completedFuture(result));
    return this;
  }

  /** The next sync is answered by {@code script}. */
  public synchronized FakeTransport scriptNextSync(
      Function<SyncRequest, CompletableFuture<SyncResult>> script) {
    scriptedSyncs.add(script);
    return this;
  }

  public synchronized List<SyncCall> syncCalls() {
    return List.copyOf(syncCalls);
  }

  public synchronized int syncCount() {
    return syncCalls.size();
  }

  @Override
  public synchronized void resetConnectBackoff() {
    resetConnectBackoffCalls++;
  }

  public synchronized int resetConnectBackoffCalls() {
    return resetConnectBackoffCalls;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  public synchronized boolean isClosed() {
    return closed;
  }
}
