package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.core.testing.Waits.advanceUntil;

import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.core.testing.TestBridge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DedupScenarioTest {
  private final TestBridge t = new TestBridge();

  @Test
  void sameRemoval_viaStreamThenHeartbeat_firesOnce() {
    t.tracker.add("p1");
    t.transport.serverRemoved("p1");
    t.start();

    t.stream().emitRemoval("1", "p1");
    advanceUntil(t.clock, Duration.ofMinutes(4), () -> t.listener.syncs().size() == 3);

    assertThat(t.handler.projectIds()).containsExactly("p1");
    assertThat(t.handler.calls().get(0).source()).isEqualTo(RemovalSource.STREAM);
    assertThat(t.listener.duplicates()).hasSize(3);
  }

  @Test
  void heartbeat_catchesARemovalTheStreamMissed() {
    t.tracker.add("p1", "p2", "p3");
    t.transport.serverRemoved("p2", "other-daemons-project");
    t.start();
    t.stream().emitRemoval("1", "unrelated");

    advanceUntil(t.clock, Duration.ofMinutes(1), () -> t.listener.syncs().size() == 1);

    assertThat(t.handler.projectIds()).containsExactly("unrelated", "p2").inOrder();
    assertThat(t.handler.calls().get(1).source()).isEqualTo(RemovalSource.HEARTBEAT);
  }

  @Test
  void fiveThousandRemovedButStillTrackedProjects_acrossTenHeartbeats_eachFireExactlyOnce() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ids.add("project-" + i);
    }
    t.tracker.addAll(ids);
    t.transport.serverRemoved(ids);
    t.start();
    t.stream().emitRemoval("1", "project-42");

    advanceUntil(t.clock, Duration.ofMinutes(12), () -> t.listener.syncs().size() == 10);

    assertThat(t.handler.count()).isEqualTo(5000);
    assertThat(new HashSet<>(t.handler.projectIds())).containsExactlyElementsIn(ids);
    assertThat(t.listener.duplicates()).hasSize(10 * 5000 - 4999);
  }

  @Test
  void projectThatLeavesTheTrackersReturnsAndIsRemovedAgain_firesAgain() {
    t.tracker.add("p1");
    t.start();
    t.stream().emitRemoval("1", "p1");
    assertThat(t.handler.count()).isEqualTo(1);

    t.tracker.remove("p1");
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 1);
    t.tracker.add("p1");
    t.stream().emitRemoval("2", "p1");

    assertThat(t.handler.projectIds()).containsExactly("p1", "p1");
  }

  @Test
  void replayOfAnUntrackedRemoval_isSuppressed_evenAfterItsProjectWasPruned() {
    t.tracker.add("p1");
    t.start();
    t.stream().emitRemoval("1", "p1");
    t.tracker.remove("p1");
    advanceUntil(t.clock, Duration.ofMinutes(2), () -> t.listener.syncs().size() == 1);

    t.stream().emitRemoval("1", "p1");

    assertThat(t.handler.count()).isEqualTo(1);
  }

  @Test
  void untrackedRemovals_areRememberedInAFixedWindow() {
    t.start(TestBridge.config().dedupWindowSize(8).build());
    t.stream().emitRemoval("1", "u1");
    t.stream().emitRemoval("2", "u1");
    assertThat(t.handler.count()).isEqualTo(1);

    for (int i = 0; i < 8; i++) {
      t.stream().emitRemoval("x" + i, "other-" + i);
    }
    t.stream().emitRemoval("3", "u1");

    // Pushed out of the 8-entry window by eight newer removals: memory stays bounded.
    assertThat(t.handler.projectIds().stream().filter("u1"::equals).count()).isEqualTo(2);
  }

  @Test
  void removalSeenOnTheStreamBeforeAnyTrackerHeldIt_isNotDeliveredAgainByTheHeartbeat() {
    t.transport.serverRemoved("p1");
    t.start();
    t.stream().emitRemoval("1", "p1");
    t.tracker.add("p1");

    advanceUntil(t.clock, Duration.ofMinutes(3), () -> t.listener.syncs().size() == 3);

    assertThat(t.handler.count()).isEqualTo(1);
  }
}
