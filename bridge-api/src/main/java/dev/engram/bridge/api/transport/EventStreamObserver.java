package dev.engram.bridge.api.transport;

/**
 * Receives what happens on one event stream. Implemented by the engine; called by transports,
 * one call at a time, never after the stream ended (see {@link Transport#openEventStream}).
 */
public interface EventStreamObserver {

  /** The server sent an event. Called only within the demand the engine requested. */
  void onEvent(ServerEvent event);

  /** The server ended the stream without an error. The engine treats it as a disconnect. */
  void onCompleted();

  /** The stream failed or could not be opened. */
  void onFailure(TransportException failure);
}
