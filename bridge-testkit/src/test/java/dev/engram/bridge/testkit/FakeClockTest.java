package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {
  private final FakeClock clock = new FakeClock();
  private final ScheduledExecutorService scheduler = clock.scheduler();
  private final List<String> log = new ArrayList<>();

  private Runnable record(String name) {
    return () -> log.add(name + "@" + clock.nanoTime() / 1_000_000 + "ms");
  }

  @Test
  void time_movesOnlyWhenAdvanced_andAllViewsAgree() {
    Instant start = clock.now();
    long tickerStart = clock.ticker().read();

    clock.advance(Duration.ofMillis(1_500));

    assertThat(start).isEqualTo(FakeClock.DEFAULT_START);
    assertThat(tickerStart).isEqualTo(0);
    assertThat(clock.ticker().read()).isEqualTo(1_500_000_000L);
    assertThat(clock.nanoTime()).isEqualTo(1_500_000_000L);
    assertThat(clock.now()).isEqualTo(FakeClock.DEFAULT_START.plusMillis(1_500));
    assertThat(clock.wallClock().instant()).isEqualTo(clock.now());
    assertThat(clock.wallClock().getZone()).isEqualTo(java.time.ZoneOffset.UTC);
  }

  @Test
  void wallClock_startsWhereTold_andKeepsMovingInAnotherZone() {
    FakeClock custom = new FakeClock(Instant.parse("2030-05-01T12:00:00Z"));
    Clock paris = custom.wallClock().withZone(ZoneId.of("Europe/Paris"));

    custom.advance(Duration.ofSeconds(3));

    assertThat(paris.instant()).isEqualTo(Instant.parse("2030-05-01T12:00:03Z"));
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
  }

  @Test
  void advance_runsDueTasksInDueOrder_tiesInScheduleOrder_eachAtItsDueTime() {
    scheduler.schedule(record("c"), 30, TimeUnit.MILLISECONDS);
    scheduler.schedule(record("a"), 10, TimeUnit.MILLISECONDS);
    scheduler.schedule(record("b1"), 20, TimeUnit.MILLISECONDS);
    scheduler.schedule(record("b2"), 20, TimeUnit.MILLISECONDS);
    scheduler.schedule(record("late"), 31, TimeUnit.MILLISECONDS);

    int ran = clock.advance(Duration.ofMillis(30));

    assertThat(ran).isEqualTo(4);
    assertThat(log).containsExactly("a@10ms", "b1@20ms", "b2@20ms", "c@30ms").inOrder();
    assertThat(clock.nanoTime()).isEqualTo(30_000_000L);
    assertThat(clock.pendingTaskCount()).isEqualTo(1);
  }

  @Test
  void advance_runsTasksThatDueTasksSchedule_whenTheyFallDueInTheSameAdvance() {
    scheduler.schedule(() -> {
      log.add("first");
      scheduler.schedule(record("second"), 5, TimeUnit.MILLISECONDS);
      scheduler.schedule(record("too-late"), 50, TimeUnit.MILLISECONDS);
    }, 10, TimeUnit.MILLISECONDS);

    clock.advance(Duration.ofMillis(20));

    assertThat(log).containsExactly("first", "second@15ms").inOrder();
    assertThat(clock.pendingDelays()).containsExactly(Duration.ofMillis(40));
  }

  @Test
  void advance_neverMovesTimeBackwards_whenATaskAdvancesFurther() {
    scheduler.schedule(() -> clock.advance(Duration.ofSeconds(19)), 1, TimeUnit.SECONDS);

    clock.advance(Duration.ofSeconds(10));

    assertThat(clock.nanoTime()).isEqualTo(Duration.ofSeconds(20).toNanos());
  }

  @Test
  void advance_backwards_isRejected() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> clock.advance(Duration.ofMillis(-1)));

    assertThat(error).hasMessageThat().contains("cannot move time backwards");
  }

  @Test
  void scheduleCallable_completesWithItsValue() throws Exception {
    ScheduledFuture<String> future = scheduler.schedule(() -> "done", 1, TimeUnit.SECONDS);

    clock.advance(Duration.ofSeconds(1));

    assertThat(future.isDone()).isTrue();
    assertThat(future.get()).isEqualTo("done");
  }

  @Test
  void get_beforeTheTaskRan_failsAtOnceInsteadOfHanging() {
    ScheduledFuture<?> future = scheduler.schedule(record("x"), 2, TimeUnit.SECONDS);
    Future<?> submitted = scheduler.submit(record("y"));

    IllegalStateException scheduled =
        assertThrows(IllegalStateException.class, () -> future.get(1, TimeUnit.MINUTES));
    IllegalStateException viaSubmit = assertThrows(IllegalStateException.class, submitted::get);

    assertThat(scheduled).hasMessageThat().contains("advance the FakeClock");
    assertThat(viaSubmit).hasMessageThat().contains("advance the FakeClock");
  }

  @Test
  void scheduleAtFixedRate_runsEveryPeriod_fromTheFirstDueTime() {
    scheduler.scheduleAtFixedRate(record("tick"), 100, 1_000, TimeUnit.MILLISECONDS);

    clock.advance(Duration.ofMillis(3_100));

    assertThat(log).containsExactly("tick@100ms", "tick@1100ms", "tick@2100ms", "tick@3100ms")
        .inOrder();
    assertThat(clock.nextDelay()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void scheduleWithFixedDelay_waitsTheDelayAfterEachRun() {
    scheduler.scheduleWithFixedDelay(record("beat"), 0, 60, TimeUnit.SECONDS);

    clock.advance(Duration.ofMinutes(2));

    assertThat(log).containsExactly("beat@0ms", "beat@60000ms", "beat@120000ms").inOrder();
  }

  @Test
  void periodicTask_thatThrows_stopsRepeating_likeAScheduledThreadPoolExecutor() {
    ScheduledFuture<?> task = scheduler.scheduleAtFixedRate(() -> {
      log.add("run");
      throw new IllegalStateException("boom");
    }, 1, 1, TimeUnit.SECONDS);

    clock.advance(Duration.ofSeconds(5));

    assertThat(log).containsExactly("run");
    assertThat(task.isDone()).isTrue();
    assertThat(clock.pendingTaskCount()).isEqualTo(0);
  }

  @Test
  void periodicTask_withNonPositivePeriod_isRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> scheduler.scheduleAtFixedRate(record("x"), 0, 0, TimeUnit.SECONDS));
  }

  @Test
  void cancel_removesOneShotAndPeriodicTasks() {
    ScheduledFuture<?> once = scheduler.schedule(record("once"), 1, TimeUnit.SECONDS);
    ScheduledFuture<?> periodic =
        scheduler.scheduleAtFixedRate(record("periodic"), 1, 1, TimeUnit.SECONDS);

    assertThat(clock.pendingTaskCount()).isEqualTo(2);
    once.cancel(false);
    periodic.cancel(false);
    clock.advance(Duration.ofSeconds(5));

    assertThat(log).isEmpty();
    assertThat(clock.pendingTaskCount()).isEqualTo(0);
    assertThat(once.isCancelled()).isTrue();
    assertThrows(CancellationException.class, once::get);
  }

  @Test
  void cancel_fromInsideItsOwnRun_stopsAPeriodicTask() {
    List<ScheduledFuture<?>> self = new ArrayList<>();
    self.add(scheduler.scheduleAtFixedRate(() -> {
      log.add("run");
      if (log.size() == 2) {
        self.get(0).cancel(false);
      }
    }, 1, 1, TimeUnit.SECONDS));

    clock.advance(Duration.ofSeconds(10));

    assertThat(log).hasSize(2);
    assertThat(clock.pendingTaskCount()).isEqualTo(0);
  }

  @Test
  void execute_runsOnlyWhenDueTasksAreRun_withoutMovingTime() {
    scheduler.execute(record("now"));

    assertThat(log).isEmpty();
    assertThat(clock.pendingDelays()).containsExactly(Duration.ZERO);
    assertThat(clock.runDueTasks()).isEqualTo(1);
    assertThat(log).containsExactly("now@0ms");
    assertThat(clock.nanoTime()).isEqualTo(0);
  }

  @Test
  void pendingReports_listWhatIsLeft_soonestFirst() {
    assertThat(clock.nextDelay()).isNull();
    scheduler.schedule(record("b"), 5, TimeUnit.SECONDS);
    scheduler.schedule(record("a"), 2, TimeUnit.SECONDS);
    scheduler.scheduleAtFixedRate(record("p"), 3, 10, TimeUnit.SECONDS);

    clock.advance(Duration.ofSeconds(1));

    assertThat(clock.pendingTaskCount()).isEqualTo(3);
    assertThat(clock.pendingDelays())
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4))
        .inOrder();
    assertThat(clock.nextDelay()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aVeryLongDelay_staysInTheFuture_insteadOfOverflowing() {
    clock.advance(Duration.ofSeconds(1));
    scheduler.schedule(record("never"), Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    scheduler.schedule(record("never-either"), Long.MAX_VALUE, TimeUnit.DAYS);

    int ran = clock.advance(Duration.ofDays(365));

    assertThat(ran).isEqualTo(0);
    assertThat(log).isEmpty();
    assertThat(clock.pendingTaskCount()).isEqualTo(2);
  }

  @Test
  void shutdown_rejectsNewTasks_stopsPeriodicOnes_andStillRunsDelayedOnes() throws Exception {
    scheduler.schedule(record("delayed"), 1, TimeUnit.SECONDS);
    ScheduledFuture<?> periodic =
        scheduler.scheduleAtFixedRate(record("periodic"), 1, 1, TimeUnit.SECONDS);

    scheduler.shutdown();

    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(periodic.isCancelled()).isTrue();
    assertThrows(RejectedExecutionException.class, () -> scheduler.execute(record("x")));
    assertThat(scheduler.isTerminated()).isFalse();
    clock.advance(Duration.ofSeconds(5));
    assertThat(log).containsExactly("delayed@1000ms");
    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(scheduler.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownNow_returnsThePendingTasks_andRunsNothingMore() {
    scheduler.schedule(record("a"), 1, TimeUnit.SECONDS);
    scheduler.schedule(record("b"), 2, TimeUnit.SECONDS);

    List<Runnable> pending = scheduler.shutdownNow();
    clock.advance(Duration.ofSeconds(5));

    assertThat(pending).hasSize(2);
    assertThat(log).isEmpty();
    assertThat(clock.pendingTaskCount()).isEqualTo(0);
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void invokeAllAndInvokeAny_areRefused_becauseTheyWouldWaitForever() {
    List<Callable<String>> tasks = List.of(() -> "x");

    assertThrows(UnsupportedOperationException.class, () -> scheduler.invokeAll(tasks));
    assertThrows(UnsupportedOperationException.class,
        () -> scheduler.invokeAll(tasks, 1, TimeUnit.SECONDS));
    assertThrows(UnsupportedOperationException.class, () -> scheduler.invokeAny(tasks));
    assertThrows(UnsupportedOperationException.class,
        () -> scheduler.invokeAny(tasks, 1, TimeUnit.SECONDS));
  }

  @Test
  void submit_returnsAFutureThatCompletesWhenDueTasksRun() throws Exception {
    Future<String> value = scheduler.submit(() -> "v");
    Future<Integer> withResult = scheduler.submit(record("r"), 7);

    clock.runDueTasks();

    assertThat(value.get()).isEqualTo("v");
    assertThat(withResult.get()).isEqualTo(7);
  }

  @Test
  void tasks_scheduledFromAnotherThread_runOnTheAdvancingThread() throws Exception {
    List<String> threads = new ArrayList<>();
    Thread other = new Thread(() -> scheduler.schedule(
        () -> threads.add(Thread.currentThread().getName()), 1, TimeUnit.SECONDS));
    other.start();
    other.join(TimeUnit.SECONDS.toMillis(5));

    clock.advance(Duration.ofSeconds(1));

    assertThat(threads).containsExactly(Thread.currentThread().getName());
  }
}
