package dev.engram.bridge.api.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to one engram server, created by a {@link TransportProvider}. Thread-safe.
 *
 * <p>The engine closes its transport on its own {@code close()}, whether it created it or was
 * handed it; what a transport was itself handed (such as a gRPC channel the user owns) stays
 * open. Closing a transport under a running engine ends its open stream with a retryable
 * failure, so the engine notices rather than waiting on a stream that no longer exists.
 */
public interface Transport extends AutoCloseable {

  /**
   * Starts a {@code ProjectEvents} stream and returns at once; the outcome arrives at {@code
   * observer}.
   *
   * <p>Flow control: the transport delivers no more events than the engine has asked for with
   * {@link EventStream#request(int)}, and asks the server for more only as the engine does.
   *
   * <p>The observer's methods are called one at a time, never after {@code onCompleted} or
   * {@code onFailure}, and not at all after {@link EventStream#cancel()} has returned: the
   * engine's own cancellation is not reported back to it as a failure.
   *
   * @param clientId this client instance's id; never empty
   * @param resumeEventId the last event id seen, to resume after, or empty for a fresh stream
   */
  EventStream openEventStream(String clientId, String resumeEventId, EventStreamObserver observer);

  /**
   * Performs one {@code SyncProjectState} call. The future completes with the server's answer,
   * or exceptionally with a {@link TransportException}; it always completes, at the latest when
   * {@code deadline} has passed. The request must hold no more ids than the server accepts.
   */
  CompletableFuture<SyncResult> sync(SyncRequest request, Duration deadline);

  /**
   * Called when the engine is about to reconnect, so that a connection-level backoff of the
   * transport's own does not add to the engine's. The default does nothing.
   */
  default void resetConnectBackoff() {}

  /** Releases what this transport opened. Idempotent; does not throw. */
  @Override
  void close();
}
