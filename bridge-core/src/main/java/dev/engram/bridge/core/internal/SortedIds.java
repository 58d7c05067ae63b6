package dev.engram.bridge.core.internal;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Distinct ids in their natural order, each with its position, so that a later reading of the
 * trackers can be checked against it one lookup per id. Immutable.
 */
final class SortedIds {
  static final SortedIds EMPTY = new SortedIds(new String[0]);

  /** Sorted, no duplicates; never written after construction. */
  private final String[] sorted;
  private final Map<String, Integer> positions;
  private final List<String> list;
  private final Set<String> set;

  private SortedIds(String[] sorted) {
    this.sorted = sorted;
    this.positions = new HashMap<>(Math.max(16, (int) (sorted.length / 0.75f) + 1));
    for (int i = 0; i < sorted.length; i++) {
      positions.put(sorted[i], i);
    }
    this.list = Collections.unmodifiableList(Arrays.asList(sorted));
    this.set = new View();
  }

  int size() {
    return sorted.length;
  }

  /** The position of {@code id} in {@link #list()}, or -1 when it is not here. */
  int positionOf(String id) {
    Integer position = positions.get(id);
    return position == null ? -1 : position;
  }

  /** The ids, sorted. */
  List<String> list() {
    return list;
  }

  /** The same ids, for lookups. */
  Set<String> set() {
    return set;
  }

  /**
   * The ids at the positions set in {@code kept} together with {@code added}, which holds none
   * of this set's ids. Only the added ids are sorted; the kept ones already are.
   */
  SortedIds with(BitSet kept, Collection<String> added) {
    String[] fresh = added.toArray(new String[0]);
    Arrays.sort(fresh);
    String[] merged = new String[kept.cardinality() + fresh.length];
    int out = 0;
    int next = 0;
    for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
      while (next < fresh.length && fresh[next].compareTo(sorted[i]) < 0) {
        merged[out++] = fresh[next++];
      }
      merged[out++] = sorted[i];
    }
    while (next < fresh.length) {
      merged[out++] = fresh[next++];
    }
    return new SortedIds(merged);
  }

  /** Read-only set view backed by the position index. */
  private final class View extends AbstractSet<String> {
    @Override
    public boolean contains(Object o) {
      return positions.containsKey(o);
    }

    @Override
    public int size() {
      return sorted.length;
    }

    @Override
    public Iterator<String> iterator() {
      return list.iterator();
    }
  }

  /**
   * Collects one reading of the trackers against the previous ids: which of them were seen again
   * and which ids are new. Proving that nothing changed costs one lookup per id read.
   */
  static final class Reading {
    private final SortedIds previous;
    private final BitSet seen;
    private int seenCount;
    private final Set<String> added = new HashSet<>();

    Reading(SortedIds previous) {
      this.previous = previous;
      this.seen = new BitSet(previous.size());
    }

    /** Takes one id a tracker holds; null and empty ids are ignored. */
    void add(String id) {
      if (id == null || id.isEmpty()) {
        return;
      }
      int position = previous.positionOf(id);
      if (position >= 0) {
        if (!seen.get(position)) {
          seen.set(position);
          seenCount++;
        }
      } else {
        added.add(id);
      }
    }

    /** The ids read: the previous instance itself when they are exactly the previous ids. */
    SortedIds result() {
      if (added.isEmpty() && seenCount == previous.size()) {
        return previous;
      }
      return previous.with(seen, added);
    }
  }
}
