package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeProjectTrackerTest {

  @Test
  void tracker_startsWithTheGivenIds_inOrder() {
    FakeProjectTracker tracker = new FakeProjectTracker("b", "a");

    assertThat(tracker.trackedProjectIds()).containsExactly("b", "a").inOrder();
    assertThat(new FakeProjectTracker().trackedProjectIds()).isEmpty();
  }

  @Test
  void addRemoveSetClear_changeWhatIsTracked() {
    FakeProjectTracker tracker = new FakeProjectTracker("a");

    tracker.add("b", "c");
    tracker.add(List.of("a", "d"));
    tracker.remove("c", "not-tracked");
    Set<String> afterEdits = tracker.trackedProjectIds();
    tracker.set(List.of("x", "y"));
    Set<String> afterSet = tracker.trackedProjectIds();
    tracker.clear();

    assertThat(afterEdits).containsExactly("a", "b", "d").inOrder();
    assertThat(afterSet).containsExactly("x", "y").inOrder();
    assertThat(tracker.trackedProjectIds()).isEmpty();
  }

  @Test
  void trackedProjectIds_isAnImmutableSnapshot() {
    FakeProjectTracker tracker = new FakeProjectTracker("a");
    Set<String> snapshot = tracker.trackedProjectIds();

    tracker.add("b");

    assertThat(snapshot).containsExactly("a");
    assertThrows(UnsupportedOperationException.class, () -> snapshot.add("c"));
  }

  @Test
  void emptyIds_areKept_butNullIdsAreRejected() {
    FakeProjectTracker tracker = new FakeProjectTracker();

    tracker.add("");
    NullPointerException error =
        assertThrows(NullPointerException.class, () -> tracker.add("a", null));

    assertThat(tracker.trackedProjectIds()).containsExactly("");
    assertThat(error).hasMessageThat().contains("a project id is null");
  }

  @Test
  void concurrentAdds_fromManyThreads_areAllKept() throws Exception {
    FakeProjectTracker tracker = new FakeProjectTracker();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    List<Future<?>> writers = new ArrayList<>();
    for (int thread = 0; thread < 4; thread++) {
      int base = thread * 500;
      writers.add(threads.submit(() -> {
        for (int i = 0; i < 500; i++) {
          tracker.add("p" + (base + i));
          tracker.trackedProjectIds();
        }
      }));
    }
    for (Future<?> writer : writers) {
      writer.get(10, TimeUnit.SECONDS);
    }
    threads.shutdown();

    assertThat(tracker.trackedProjectIds()).hasSize(2_000);
    assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }
}
