package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.ProjectRemoval;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordingRemovalHandlerTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final ProjectRemoval P1 = ProjectRemoval.fromStream("p1", "1", "gone", null);
  private static final ProjectRemoval P2 =
      ProjectRemoval.fromHeartbeat("p2", Instant.parse("2026-01-01T00:00:00Z"));
  private static final ProjectRemoval P3 = ProjectRemoval.fromStream("p3", "3", "", null);

  private final RecordingRemovalHandler handler = new RecordingRemovalHandler();
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stopCallers() throws InterruptedException {
    handler.release();
    callers.shutdownNow();
    assertThat(callers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void removals_areRecordedInArrivalOrder() {
    handler.onProjectRemoved(P1);
    handler.onProjectRemoved(P2);

    assertThat(handler.removals()).containsExactly(P1, P2).inOrder();
    assertThat(handler.projectIds()).containsExactly("p1", "p2").inOrder();
    assertThat(handler.count()).isEqualTo(2);
    assertThat(handler.maxConcurrentCalls()).isEqualTo(1);
  }

  @Test
  void removals_isASnapshot() {
    handler.onProjectRemoved(P1);
    List<ProjectRemoval> snapshot = handler.removals();

    handler.onProjectRemoved(P2);

    assertThat(snapshot).containsExactly(P1);
    assertThrows(UnsupportedOperationException.class, () -> snapshot.add(P3));
  }

  @Test
  void await_returnsEverythingReceived_onceEnoughArrivedFromAnotherThread() throws Exception {
    callers.submit(() -> {
      handler.onProjectRemoved(P1);
      handler.onProjectRemoved(P2);
    });

    List<ProjectRemoval> received = handler.await(2, WAIT);

    assertThat(received).containsExactly(P1, P2).inOrder();
  }

  @Test
  void await_whenTooFewArrive_failsListingWhatDid() {
    handler.onProjectRemoved(P1);

    AssertionError error =
        assertThrows(AssertionError.class, () -> handler.await(2, Duration.ofMillis(50)));

    assertThat(error).hasMessageThat().contains("expected at least 2 removal(s) within PT0.05S");
    assertThat(error).hasMessageThat().contains("but 1 arrived");
    assertThat(error).hasMessageThat().contains("projectId=p1");
  }

  @Test
  void assertNoMoreThan_passesAtTheCount_andFailsBeyondIt() {
    handler.onProjectRemoved(P1);
    handler.assertNoMoreThan(1);

    handler.onProjectRemoved(P1);
    AssertionError error = assertThrows(AssertionError.class, () -> handler.assertNoMoreThan(1));

    assertThat(error).hasMessageThat().contains("expected no more than 1 removal(s) but 2 arrived");
  }

  @Test
  void assertNoMoreThan_overAWindow_failsAsSoonAsOneMoreArrives() throws Exception {
    handler.onProjectRemoved(P1);
    Future<?> check = callers.submit(() -> handler.assertNoMoreThan(1, Duration.ofSeconds(30)));

    handler.onProjectRemoved(P2);

    // Well before the 30 s window ends: the check does not wait out the window once it failed.
    ExecutionException error = assertThrows(
        ExecutionException.class, () -> check.get(5, TimeUnit.SECONDS));
    assertThat(error).hasCauseThat().isInstanceOf(AssertionError.class);
    assertThat(error).hasCauseThat().hasMessageThat().contains("but 2 arrived");
  }

  @Test
  void assertNoMoreThan_overAQuietWindow_passes() {
    handler.onProjectRemoved(P1);

    handler.assertNoMoreThan(1, Duration.ofMillis(50));

    assertThat(handler.count()).isEqualTo(1);
  }

  @Test
  void failNextCalls_throwsForThatManyCalls_afterRecordingThem() {
    handler.failNextCalls(2);

    RecordingRemovalHandler.InjectedFailure first =
        assertThrows(RecordingRemovalHandler.InjectedFailure.class,
            () -> handler.onProjectRemoved(P1));
    assertThrows(RecordingRemovalHandler.InjectedFailure.class,
        () -> handler.onProjectRemoved(P2));
    handler.onProjectRemoved(P3);

    assertThat(first.projectId()).isEqualTo("p1");
    assertThat(first).hasMessageThat().contains("p1");
    assertThat(handler.removals()).containsExactly(P1, P2, P3).inOrder();
  }

  @Test
  void blockCalls_holdsCallsUntilReleased() throws Exception {
    handler.blockCalls();
    Future<?> call = callers.submit(() -> handler.onProjectRemoved(P1));
    handler.await(1, WAIT);

    assertThat(call.isDone()).isFalse();
    assertThat(handler.blockedCalls()).isEqualTo(1);
    handler.release();
    call.get(5, TimeUnit.SECONDS);
    assertThat(handler.blockedCalls()).isEqualTo(0);
    handler.onProjectRemoved(P2);
    assertThat(handler.count()).isEqualTo(2);
  }

  @Test
  void blockedCall_thatIsInterrupted_returnsWithItsInterruptFlagSet() throws Exception {
    handler.blockCalls();
    CompletableFuture<Boolean> interruptedOnReturn = new CompletableFuture<>();
    Future<?> call = callers.submit(() -> {
      handler.onProjectRemoved(P1);
      interruptedOnReturn.complete(Thread.currentThread().isInterrupted());
    });
    handler.await(1, WAIT);

    call.cancel(true);

    assertThat(interruptedOnReturn.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(handler.blockedCalls()).isEqualTo(0);
  }

  @Test
  void maxConcurrentCalls_catchesACallerThatOverlapsCalls() throws Exception {
    handler.blockCalls();
    callers.submit(() -> handler.onProjectRemoved(P1));
    callers.submit(() -> handler.onProjectRemoved(P2));
    handler.await(2, WAIT);

    assertThat(handler.maxConcurrentCalls()).isEqualTo(2);
    assertThat(handler.blockedCalls()).isEqualTo(2);
  }

  @Test
  void failingAndBlocking_combine_failingOnlyAfterRelease() throws Exception {
    handler.failNextCalls(1);
    handler.blockCalls();
    Future<?> call = callers.submit(() -> handler.onProjectRemoved(P1));
    handler.await(1, WAIT);

    handler.release();

    ExecutionException error = assertThrows(
        ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
    assertThat(error).hasCauseThat().isInstanceOf(RecordingRemovalHandler.InjectedFailure.class);
  }

  @Test
  void scripts_rejectNegativeCounts() {
    assertThrows(IllegalArgumentException.class, () -> handler.failNextCalls(-1));
  }
}
