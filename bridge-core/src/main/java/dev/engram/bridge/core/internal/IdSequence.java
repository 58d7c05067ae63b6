package dev.engram.bridge.core.internal;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The ids one tracker handed out at one reading, in the order it handed them out. Comparing the
 * next reading with it, element by element, proves cheaply that a tracker still holds the same
 * ids: most trackers hand out an unchanged set in the same order, often as the very same string
 * instances, so the comparison rarely has to look inside a string. Immutable.
 */
final class IdSequence {
  static final IdSequence EMPTY = new IdSequence(new String[0]);

  private final String[] ids;

  private IdSequence(String[] ids) {
    this.ids = ids;
  }

  void forEach(Consumer<String> action) {
    for (String id : ids) {
      action.accept(id);
    }
  }

  /** Starts the next reading of the same tracker. */
  Reader next() {
    return new Reader(this);
  }

  /** Records one reading, comparing it with the previous one as it goes. Not thread-safe. */
  static final class Reader {
    private final IdSequence previous;
    private String[] read;
    private int count;
    private boolean same = true;

    private Reader(IdSequence previous) {
      this.previous = previous;
      this.read = previous.ids;
    }

    /** Takes the tracker's next id; null and empty ids are ignored, as the union ignores them. */
    void add(String id) {
      if (id == null || id.isEmpty()) {
        return;
      }
      if (same) {
        String[] before = previous.ids;
        if (count < before.length && (id == before[count] || id.equals(before[count]))) {
          count++;
          return;
        }
        same = false;
        read = Arrays.copyOf(before, Math.max(16, before.length + (before.length >> 3)));
      }
      if (count == read.length) {
        read = Arrays.copyOf(read, read.length + (read.length >> 1));
      }
      read[count++] = id;
    }

    /** What was read: the previous instance itself when it is the same sequence of ids. */
    IdSequence finish() {
      if (same && count == previous.ids.length) {
        return previous;
      }
      return new IdSequence(Arrays.copyOf(read, count));
    }
  }
}
