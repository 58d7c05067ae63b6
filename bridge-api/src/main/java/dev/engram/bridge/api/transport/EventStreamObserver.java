package dev.engram.bridge.api.transport;

import java.util.List;

/**
 * Receives what happens on one event stream. Implemented by the engine; called by transports,
 * one call at a time, never after the stream ended (see {@link Transport#openEventStream}).
 */
public interface EventStreamObserver {

  /** The server sent an event. Called only within the demand the engine requested. */
  void onEvent(ServerEvent event);

  /**
   * The server sent several events, given in the order they arrived. The same rules hold as for
   * {@link #onEvent} for each of them.
   *
   * <p>A transport that receives events in runs (one network read, one batch of callbacks)
   * should hand over each run in one call: the engine then passes the run on to the handlers
   * and returns its demand in one step each, instead of one per event, which saves a thread
   * wake-up per event under load. The default hands the events to {@link #onEvent} one by one.
   *
   * <p>A cancel made while this runs ends delivery after it; the events that follow in the list
   * arrived before the cancel, and an implementation may ignore them.
   *
   * @param events the events, not empty; from this call on the list is the engine's to read,
   *     and the transport must not change it
   */
  default void onEvents(List<ServerEvent> events) {
    for (ServerEvent event : events) {
      onEvent(event);
    }
  }

  /** The server ended the stream without an error. The engine treats it as a disconnect. */
  void onCompleted();

  /** The stream failed or could not be opened. */
  void onFailure(TransportException failure);
}
