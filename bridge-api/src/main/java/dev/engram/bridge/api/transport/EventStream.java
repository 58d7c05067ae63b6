package dev.engram.bridge.api.transport;

/** A handle on one open event stream, for the engine's flow control and cancellation. */
public interface EventStream {

  /**
   * Allows the transport to deliver {@code count} more events. Demand adds up. Safe to call from
   * any thread, including from inside {@link EventStreamObserver#onEvent}.
   */
  void request(int count);

  /** Ends the stream from the client's side. Idempotent; no callback follows it. */
  void cancel();
}
