package dev.engram.bridge.testkit.internal;

import dev.engram.bridge.proto.v1.ProjectEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The most recent events the server sent, for resuming streams. Not thread-safe: the server
 * state guards it.
 */
final class EventHistory {
  private final int capacity;
  private final ArrayDeque<ProjectEvent> events = new ArrayDeque<>();
  /** The id of the newest event that no longer fits; resuming after it needs nothing lost. */
  private String lastEvictedId;

  EventHistory(int capacity) {
    this.capacity = capacity;
  }

  void add(ProjectEvent event) {
    if (events.size() == capacity) {
      lastEvictedId = events.removeFirst().getEventId();
    }
    events.addLast(event);
  }

  /**
   * Every event sent after the newest one with id {@code eventId}, oldest first; empty when some
   * of them are no longer held or the id was never sent.
   */
  Optional<List<ProjectEvent>> eventsAfter(String eventId) {
    List<ProjectEvent> after = new ArrayList<>();
    Iterator<ProjectEvent> newestFirst = events.descendingIterator();
    while (newestFirst.hasNext()) {
      ProjectEvent event = newestFirst.next();
      if (event.getEventId().equals(eventId)) {
        Collections.reverse(after);
        return Optional.of(after);
      }
      after.add(event);
    }
    if (eventId.equals(lastEvictedId)) {
      return Optional.of(new ArrayList<>(events));
    }
    return Optional.empty();
  }
}
