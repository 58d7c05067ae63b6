package dev.engram.bridge.core.internal;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.core.testing.Concurrently;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecentWindowTest {

  @Test
  void putIfAbsent_newKey_isAdded() {
    RecentWindow<String, String> window = new RecentWindow<>(4);

    assertThat(window.putIfAbsent("a", "first")).isNull();
    assertThat(window.contains("a")).isTrue();
    assertThat(window.size()).isEqualTo(1);
  }

  @Test
  void putIfAbsent_duplicateKey_returnsTheRememberedValueAndKeepsIt() {
    RecentWindow<String, String> window = new RecentWindow<>(4);
    window.putIfAbsent("a", "first");

    assertThat(window.putIfAbsent("a", "second")).isEqualTo("first");
    assertThat(window.get("a")).isEqualTo("first");
    assertThat(window.size()).isEqualTo(1);
  }

  @Test
  void putIfAbsent_addsAsTheNewest_andEvictsTheOldestWhenFull() {
    RecentWindow<String, String> window = new RecentWindow<>(2);
    window.putIfAbsent("a", "1");
    window.putIfAbsent("b", "2");
    window.putIfAbsent("c", "3");

    assertThat(window.size()).isEqualTo(2);
    assertThat(window.contains("a")).isFalse();
    assertThat(window.get("c")).isEqualTo("3");
  }

  @Test
  void full_nextNewKey_evictsExactlyOneAndNeverGrows() {
    RecentWindow<Integer, Integer> window = new RecentWindow<>(3);
    for (int i = 0; i < 10; i++) {
      window.putIfAbsent(i, i);
      assertThat(window.size()).isAtMost(3);
    }

    assertThat(window.size()).isEqualTo(3);
    assertThat(window.contains(6)).isFalse();
    assertThat(window.contains(7)).isTrue();
    assertThat(window.contains(9)).isTrue();
  }

  @Test
  void full_evictsTheLeastRecentlyAdded_evenIfItWasSeenAgainSince() {
    RecentWindow<String, String> window = new RecentWindow<>(3);
    window.putIfAbsent("a", "a");
    window.putIfAbsent("b", "b");
    window.putIfAbsent("c", "c");
    // A duplicate sighting does not extend an entry's life: the window is insertion-ordered.
    assertThat(window.putIfAbsent("a", "again")).isEqualTo("a");

    window.putIfAbsent("d", "d");

    assertThat(window.contains("a")).isFalse();
    assertThat(window.contains("b")).isTrue();
    assertThat(window.contains("c")).isTrue();
    assertThat(window.contains("d")).isTrue();
  }

  @Test
  void exactWindow_catchesEveryDuplicateWithinCapacityDistinctKeys() {
    int capacity = 256;
    RecentWindow<Integer, Boolean> window = new RecentWindow<>(capacity);
    int caught = 0;
    for (int i = 0; i < 10_000; i++) {
      window.putIfAbsent(i, true);
      // The key added capacity-1 additions ago must still be there.
      if (i >= capacity - 1 && window.putIfAbsent(i - (capacity - 1), true) != null) {
        caught++;
      }
    }

    assertThat(caught).isEqualTo(10_000 - (capacity - 1));
  }

  @Test
  void put_existingKey_becomesNewest() {
    RecentWindow<String, String> window = new RecentWindow<>(2);
    window.put("a", "1");
    window.put("b", "2");
    window.put("a", "3");

    window.put("c", "4");

    assertThat(window.contains("b")).isFalse();
    assertThat(window.get("a")).isEqualTo("3");
  }

  @Test
  void concurrentAdds_from100Threads_eachKeyAddedOnceAndSizeBounded() throws Exception {
    RecentWindow<Integer, Integer> window = new RecentWindow<>(1024);
    AtomicInteger added = new AtomicInteger();
    Concurrently.run(100, thread -> {
      // Every thread tries the same 1000 keys: each must be added exactly once overall.
      for (int key = 0; key < 1000; key++) {
        if (window.putIfAbsent(key, key) == null) {
          added.incrementAndGet();
        }
      }
    });

    assertThat(added.get()).isEqualTo(1000);
    assertThat(window.size()).isEqualTo(1000);
  }
}
