package dev.engram.bridge.core.internal;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.core.internal.Deduplicator.Decision;
import dev.engram.bridge.core.internal.Deduplicator.Verdict;
import dev.engram.bridge.core.testing.Concurrently;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeduplicatorTest {
  private static final String REMOVED = RemovalIntake.REMOVED;

  private final Deduplicator dedup = new Deduplicator(2, 3, 4);

  @Test
  void firstReport_isNewForEveryHandler() {
    Decision decision = dedup.offer(REMOVED, "p1", true);

    assertThat(decision.verdict()).isEqualTo(Verdict.NEW);
    assertThat(decision.handlers()).containsExactly(0, 1).inOrder();
  }

  @Test
  void trackedRemoval_reportedAgainAfterManyOthers_isStillDuplicate() {
    Decision first = dedup.offer(REMOVED, "p1", true);
    succeedAll(first);
    // Far more removals than the window holds: a tracked removal must not fall out.
    for (int i = 0; i < 100; i++) {
      succeedAll(dedup.offer(REMOVED, "other-" + i, true));
    }

    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.DUPLICATE);
  }

  @Test
  void untrackedRemoval_duplicateWithinWindow_isSuppressed_andEvictedAfterWindowSize() {
    succeedAll(dedup.offer(REMOVED, "u1", false));
    assertThat(dedup.offer(REMOVED, "u1", false).verdict()).isEqualTo(Verdict.DUPLICATE);

    for (int i = 0; i < 4; i++) {
      succeedAll(dedup.offer(REMOVED, "u-other-" + i, false));
    }

    assertThat(dedup.offer(REMOVED, "u1", false).verdict()).isEqualTo(Verdict.NEW);
    assertThat(dedup.windowCount()).isEqualTo(4);
  }

  @Test
  void keyIncludesEventType() {
    dedup.offer(REMOVED, "p1", true);

    assertThat(dedup.offer("RENAMED", "p1", true).verdict()).isEqualTo(Verdict.NEW);
  }

  @Test
  void prune_forgetsRemovalsOfProjectsNoLongerTracked_soMemoryFollowsTheTrackers() {
    for (int i = 0; i < 50; i++) {
      succeedAll(dedup.offer(REMOVED, "p" + i, true));
    }
    assertThat(dedup.trackedCount()).isEqualTo(50);

    dedup.prune(Set.of("p1", "p2"));

    assertThat(dedup.trackedCount()).isEqualTo(2);
    assertThat(dedup.windowCount()).isAtMost(4);
  }

  @Test
  void projectLeavesTrackersThenReturnsAndIsRemovedAgain_firesAgain() {
    succeedAll(dedup.offer(REMOVED, "p1", true));
    dedup.prune(Set.of());

    Decision again = dedup.offer(REMOVED, "p1", true);

    assertThat(again.verdict()).isEqualTo(Verdict.NEW);
  }

  @Test
  void prunedRemoval_replayedWhileStillUntracked_isSuppressed() {
    succeedAll(dedup.offer(REMOVED, "p1", true));
    dedup.prune(Set.of());

    assertThat(dedup.offer(REMOVED, "p1", false).verdict()).isEqualTo(Verdict.DUPLICATE);
  }

  @Test
  void removalSeenUntracked_thenReportedAsTracked_isTheSameRemoval() {
    succeedAll(dedup.offer(REMOVED, "p1", false));

    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.DUPLICATE);
    assertThat(dedup.trackedCount()).isEqualTo(1);
  }

  @Test
  void failedHandler_reportedAgain_onlyThatHandlerIsRetried() {
    Decision first = dedup.offer(REMOVED, "p1", true);
    dedup.succeeded(first.delivery(), 0);
    dedup.failed(first.delivery(), 1);

    Decision again = dedup.offer(REMOVED, "p1", true);

    assertThat(again.verdict()).isEqualTo(Verdict.RETRY);
    assertThat(again.handlers()).containsExactly(1);
  }

  @Test
  void pendingHandler_reportedAgain_isNotHandedOutTwice() {
    dedup.offer(REMOVED, "p1", true);

    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.DUPLICATE);
  }

  @Test
  void failingHandler_givesUpAfterMaxAttempts() {
    Decision decision = dedup.offer(REMOVED, "p1", true);
    dedup.succeeded(decision.delivery(), 0);
    assertThat(dedup.failed(decision.delivery(), 1).givingUp()).isFalse();
    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.RETRY);
    assertThat(dedup.failed(decision.delivery(), 1).number()).isEqualTo(2);
    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.RETRY);

    Deduplicator.Attempt last = dedup.failed(decision.delivery(), 1);

    assertThat(last.number()).isEqualTo(3);
    assertThat(last.givingUp()).isTrue();
    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.DUPLICATE);
  }

  @Test
  void retriedHandlerThatSucceeds_isDuplicateFromThenOn() {
    Decision first = dedup.offer(REMOVED, "p1", true);
    dedup.failed(first.delivery(), 0);
    dedup.failed(first.delivery(), 1);
    Decision retry = dedup.offer(REMOVED, "p1", true);
    assertThat(retry.handlers()).containsExactly(0, 1).inOrder();
    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.DUPLICATE);

    dedup.succeeded(retry.delivery(), 0);
    dedup.failed(retry.delivery(), 1);

    Decision third = dedup.offer(REMOVED, "p1", true);
    assertThat(third.verdict()).isEqualTo(Verdict.RETRY);
    assertThat(third.handlers()).containsExactly(1);
    dedup.succeeded(third.delivery(), 1);
    assertThat(dedup.offer(REMOVED, "p1", true).verdict()).isEqualTo(Verdict.DUPLICATE);
  }

  @Test
  void abandonedCall_isHandedOutAgainWithoutCountingAnAttempt() {
    Decision first = dedup.offer(REMOVED, "p1", true);
    dedup.succeeded(first.delivery(), 0);
    dedup.abandoned(first.delivery(), 1);

    Decision again = dedup.offer(REMOVED, "p1", true);

    assertThat(again.verdict()).isEqualTo(Verdict.RETRY);
    assertThat(again.handlers()).containsExactly(1);
    assertThat(dedup.failed(again.delivery(), 1).number()).isEqualTo(1);
  }

  @Test
  void concurrentOffers_from100Threads_eachRemovalIsNewExactlyOnce() throws Exception {
    Deduplicator shared = new Deduplicator(1, 3, 1024);
    Set<String> trackedIds = new java.util.HashSet<>();
    for (int i = 0; i < 500; i += 2) {
      trackedIds.add("p" + i);
    }
    AtomicInteger fresh = new AtomicInteger();
    Concurrently.run(100, thread -> {
      for (int i = 0; i < 500; i++) {
        // Even ids are tracked, odd ones not; every thread reports every id.
        boolean tracked = trackedIds.contains("p" + i);
        Decision decision = shared.offer(REMOVED, "p" + i, tracked);
        if (decision.verdict() == Verdict.NEW) {
          fresh.incrementAndGet();
          shared.succeeded(decision.delivery(), 0);
        }
        if (thread % 10 == 0 && i % 50 == 0) {
          shared.prune(trackedIds);
        }
      }
    });

    // Tracked removals stay remembered through pruning; the 250 untracked ones fit in the
    // window: every id must have been new exactly once.
    assertThat(fresh.get()).isEqualTo(500);
  }

  private void succeedAll(Decision decision) {
    for (int handler : decision.handlers()) {
      dedup.succeeded(decision.delivery(), handler);
    }
  }
}
