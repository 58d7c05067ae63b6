package dev.engram.bridge.testkit.internal;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The most recent records of one kind, with a read position for "take the next one". Not
 * thread-safe: the server state guards it.
 */
final class RecordLog<T> {
  private final int capacity;
  private final ArrayDeque<T> records = new ArrayDeque<>();
  /** How many records were ever added. */
  private long total;
  /** The number (counting from zero over all records ever added) of the next one to take. */
  private long nextToTake;

  RecordLog(int capacity) {
    this.capacity = capacity;
  }

  void add(T record) {
    if (records.size() == capacity) {
      records.removeFirst();
    }
    records.addLast(record);
    total++;
  }

  long total() {
    return total;
  }

  List<T> retained() {
    return List.copyOf(records);
  }

  boolean hasUntaken() {
    return nextToTake < total;
  }

  /** The oldest record not taken yet, skipping any that were dropped to stay within capacity. */
  T take() {
    long oldestRetained = total - records.size();
    nextToTake = Math.max(nextToTake, oldestRetained);
    int index = (int) (nextToTake - oldestRetained);
    nextToTake++;
    return records.stream().skip(index).findFirst().orElseThrow();
  }

  long taken() {
    return nextToTake;
  }
}
