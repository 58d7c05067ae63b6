package dev.engram.bridge.core.internal;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.api.ProjectTracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TrackerUnionTest {

  @Test
  void snapshot_isTheSortedUnion_withoutDuplicatesNullsOrEmptyIds() {
    Set<String> withNull = new HashSet<>(Arrays.asList("c", null, "a"));
    TrackerUnion union = new TrackerUnion(List.of(() -> withNull, () -> Set.of("b", "a", "")));

    TrackerUnion.Snapshot snapshot = union.snapshot();

    assertThat(snapshot.ids()).containsExactly("a", "b", "c").inOrder();
    assertThat(snapshot.idSet()).containsExactly("a", "b", "c");
    assertThat(snapshot.complete()).isTrue();
  }

  @Test
  void snapshot_unchangedTrackers_handsOutTheSameSortedIdsAgain() {
    TrackerUnion union = new TrackerUnion(List.of(() -> Set.of("b", "a"), () -> Set.of("c")));
    TrackerUnion.Snapshot first = union.snapshot();

    TrackerUnion.Snapshot second = union.snapshot();

    assertThat(second.ids()).isSameInstanceAs(first.ids());
    assertThat(second.idSet()).isSameInstanceAs(first.idSet());
    assertThat(second.ids()).containsExactly("a", "b", "c").inOrder();
  }

  @Test
  void snapshot_sameIdsAsNewStringsInAnotherOrder_isTheSameUnion() {
    List<List<String>> readings = List.of(List.of("a", "b", "c"), List.of("c", "a", "b"));
    int[] reading = new int[1];
    TrackerUnion union = new TrackerUnion(List.of(() -> {
      Set<String> ids = new LinkedHashSet<>();
      for (String id : readings.get(reading[0]++)) {
        ids.add(new String(id));
      }
      return ids;
    }));
    TrackerUnion.Snapshot first = union.snapshot();

    TrackerUnion.Snapshot second = union.snapshot();

    assertThat(second.ids()).containsExactly("a", "b", "c").inOrder();
    assertThat(second.ids()).isSameInstanceAs(first.ids());
  }

  @Test
  void snapshot_trackerAddsAndRemovesIds_betweenReadings_seesTheNewUnion() {
    Set<String> ids = new LinkedHashSet<>(List.of("m", "c"));
    TrackerUnion union = new TrackerUnion(List.of(() -> Set.copyOf(ids)));
    union.snapshot();

    ids.remove("m");
    ids.add("a");
    ids.add("z");
    TrackerUnion.Snapshot snapshot = union.snapshot();

    assertThat(snapshot.ids()).containsExactly("a", "c", "z").inOrder();
    assertThat(snapshot.idSet()).containsExactly("a", "c", "z");
    assertThat(snapshot.idSet().contains("m")).isFalse();
  }

  @Test
  void snapshot_liveSetHandedOutEveryTime_changedInPlace_seesTheChange() {
    Set<String> live = new LinkedHashSet<>(List.of("a", "b", "c"));
    TrackerUnion union = new TrackerUnion(List.of(() -> live));
    TrackerUnion.Snapshot first = union.snapshot();

    // Same instance, same size, same order of what is left: only the content tells.
    live.remove("c");
    live.add("d");
    TrackerUnion.Snapshot second = union.snapshot();
    live.remove("d");
    TrackerUnion.Snapshot third = union.snapshot();

    assertThat(first.ids()).containsExactly("a", "b", "c").inOrder();
    assertThat(second.ids()).containsExactly("a", "b", "d").inOrder();
    assertThat(second.idSet().contains("c")).isFalse();
    assertThat(third.ids()).containsExactly("a", "b").inOrder();
  }

  @Test
  void snapshot_earlierSnapshots_doNotChangeWhenTheUnionDoes() {
    Set<String> live = new LinkedHashSet<>(List.of("a", "b"));
    TrackerUnion union = new TrackerUnion(List.of(() -> live));
    TrackerUnion.Snapshot first = union.snapshot();

    live.add("c");
    live.remove("a");
    union.snapshot();

    assertThat(first.ids()).containsExactly("a", "b").inOrder();
    assertThat(first.idSet()).containsExactly("a", "b");
  }

  @Test
  void snapshot_idLeavesOneTrackerButAnotherStillHoldsIt_staysInTheUnion() {
    Set<String> one = new LinkedHashSet<>(List.of("a", "b"));
    Set<String> two = new LinkedHashSet<>(List.of("b", "c"));
    TrackerUnion union = new TrackerUnion(List.of(() -> one, () -> two));
    union.snapshot();

    one.remove("b");
    TrackerUnion.Snapshot stillThere = union.snapshot();
    two.remove("b");
    TrackerUnion.Snapshot gone = union.snapshot();

    assertThat(stillThere.ids()).containsExactly("a", "b", "c").inOrder();
    assertThat(gone.ids()).containsExactly("a", "c").inOrder();
  }

  @Test
  void snapshot_trackerStartsFailing_losesItsIdsAndIsIncomplete_thenGetsThemBackWhenItWorks() {
    boolean[] broken = new boolean[1];
    ProjectTracker flaky = () -> {
      if (broken[0]) {
        throw new IllegalStateException("flaky");
      }
      return Set.of("b", "x");
    };
    TrackerUnion union = new TrackerUnion(List.of(() -> Set.of("a", "b"), flaky));
    TrackerUnion.Snapshot working = union.snapshot();

    broken[0] = true;
    TrackerUnion.Snapshot failing = union.snapshot();
    TrackerUnion.Snapshot stillFailing = union.snapshot();
    broken[0] = false;
    TrackerUnion.Snapshot recovered = union.snapshot();

    assertThat(working.ids()).containsExactly("a", "b", "x").inOrder();
    assertThat(working.complete()).isTrue();
    assertThat(failing.ids()).containsExactly("a", "b").inOrder();
    assertThat(failing.idSet().contains("x")).isFalse();
    assertThat(failing.complete()).isFalse();
    assertThat(stillFailing.ids()).containsExactly("a", "b").inOrder();
    assertThat(stillFailing.complete()).isFalse();
    assertThat(recovered.ids()).containsExactly("a", "b", "x").inOrder();
    assertThat(recovered.complete()).isTrue();
  }

  @Test
  void contains_asksATrackerThatOverridesTracks_withoutTakingItsSnapshot() {
    Set<String> live = new HashSet<>(Set.of("a"));
    int[] snapshots = new int[1];
    ProjectTracker lookUp = new ProjectTracker() {
      @Override
      public Set<String> trackedProjectIds() {
        snapshots[0]++;
        return Set.copyOf(live);
      }

      @Override
      public boolean tracks(String projectId) {
        return live.contains(projectId);
      }
    };
    TrackerUnion union = new TrackerUnion(List.of(() -> Set.of("b"), lookUp));

    assertThat(union.contains("a")).isTrue();
    assertThat(union.contains("b")).isTrue();
    assertThat(union.contains("c")).isFalse();
    assertThat(snapshots[0]).isEqualTo(0);
  }

  @Test
  void contains_trackerThatThrows_countsAsNotHolding_andTheOthersAreStillAsked() {
    ProjectTracker broken = () -> {
      throw new IllegalStateException("broken");
    };
    TrackerUnion union = new TrackerUnion(List.of(broken, () -> Set.of("a")));

    assertThat(union.contains("a")).isTrue();
    assertThat(union.contains("b")).isFalse();
  }

  @Test
  void contains_trackerReturningNull_holdsNothing() {
    TrackerUnion union = new TrackerUnion(List.of(() -> null));

    assertThat(union.contains("a")).isFalse();
  }

  @Test
  void snapshot_trackerReturningNull_countsAsEmpty() {
    Set<String>[] handedOut = new Set[] {Set.of("a")};
    TrackerUnion union = new TrackerUnion(List.of(() -> handedOut[0]));
    union.snapshot();

    handedOut[0] = null;
    TrackerUnion.Snapshot snapshot = union.snapshot();

    assertThat(snapshot.ids()).isEmpty();
    assertThat(snapshot.complete()).isTrue();
  }

  @Test
  void snapshot_randomChangesAcrossTrackers_alwaysMatchesAFreshlySortedUnion() {
    Random random = new Random(42);
    int trackerCount = 3;
    List<Set<String>> live = new ArrayList<>();
    boolean[] failing = new boolean[trackerCount];
    List<ProjectTracker> trackers = new ArrayList<>();
    for (int i = 0; i < trackerCount; i++) {
      Set<String> ids = new HashSet<>();
      live.add(ids);
      int index = i;
      // One live set handed out as is, one copied in a shuffled order, one immutable copy.
      trackers.add(() -> {
        if (failing[index]) {
          throw new IllegalStateException("tracker " + index + " fails");
        }
        if (index == 0) {
          return ids;
        }
        if (index == 1) {
          List<String> shuffled = new ArrayList<>(ids);
          Collections.shuffle(shuffled, random);
          return new LinkedHashSet<>(shuffled);
        }
        return Set.copyOf(ids);
      });
    }
    TrackerUnion union = new TrackerUnion(trackers);

    for (int step = 0; step < 400; step++) {
      int tracker = random.nextInt(trackerCount);
      int change = random.nextInt(10);
      if (change < 4) {
        live.get(tracker).add("p" + random.nextInt(60));
      } else if (change < 7) {
        live.get(tracker).remove("p" + random.nextInt(60));
      } else if (change == 7) {
        failing[tracker] = !failing[tracker];
      }
      // change 8 or 9: read again with nothing changed

      TrackerUnion.Snapshot snapshot = union.snapshot();

      TreeSet<String> expected = new TreeSet<>();
      boolean complete = true;
      for (int i = 0; i < trackerCount; i++) {
        if (failing[i]) {
          complete = false;
        } else {
          expected.addAll(live.get(i));
        }
      }
      assertThat(snapshot.ids()).containsExactlyElementsIn(expected).inOrder();
      assertThat(snapshot.idSet()).containsExactlyElementsIn(expected);
      for (int id = 0; id < 60; id++) {
        assertThat(snapshot.idSet().contains("p" + id)).isEqualTo(expected.contains("p" + id));
      }
      assertThat(snapshot.complete()).isEqualTo(complete);
    }
  }
}
