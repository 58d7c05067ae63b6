package dev.engram.bridge.core.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} distinct keys added, with a value each: an exact window, oldest
 * addition evicted first. A key seen again keeps its place (insertion order, not access order),
 * so a duplicate that keeps arriving cannot keep an old entry alive for ever.
 *
 * <p>Size-bounded caches (Caffeine, Guava) are deliberately not used: their admission and
 * eviction policies are approximate, and a window that forgets a recent key lets a duplicate
 * through. Thread-safe.
 */
final class RecentWindow<K, V> {
  private final int capacity;
  private final LinkedHashMap<K, V> entries;

  RecentWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity is " + capacity + "; expected 1 or more");
    }
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > RecentWindow.this.capacity;
      }
    };
  }

  /**
   * Adds {@code key} with {@code value} unless it is already in the window.
   *
   * @return the value already held for {@code key}, or null when it was added now
   */
  synchronized V putIfAbsent(K key, V value) {
    return entries.putIfAbsent(key, value);
  }

  /** Adds {@code key}, or replaces its value; either way it becomes the newest entry. */
  synchronized void put(K key, V value) {
    entries.remove(key);
    entries.put(key, value);
  }

  synchronized V get(K key) {
    return entries.get(key);
  }

  synchronized V remove(K key) {
    return entries.remove(key);
  }

  synchronized boolean contains(K key) {
    return entries.containsKey(key);
  }

  synchronized int size() {
    return entries.size();
  }

  int capacity() {
    return capacity;
  }
}
