package dev.engram.bridge.testkit;

import com.google.common.base.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that moves only when a test says so: a {@link ScheduledExecutorService}, a Guava {@link
 * Ticker} and a {@link Clock} that share one fake time.
 *
 * <p>Nothing runs on its own. {@link #advance(Duration)} moves time forward and runs every task
 * that falls due on the way, in order of due time (ties in the order they were scheduled), each
 * with the clock set to its due time; {@link #runDueTasks()} runs what is due now, including
 * tasks given to {@code execute}. A 60-second timer is tested in microseconds.
 *
 * <p>Tasks may be scheduled from any thread; they run on the thread that advances the clock.
 * {@link #pendingTaskCount()} and {@link #pendingDelays()} tell what is left, so a test can check
 * that a component cancelled its timers on close.
 */
public final class FakeClock {
  /** Where the wall clock starts unless told otherwise: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final Object lock = new Object();
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Instant wallStart;
  private final FakeScheduler scheduler = new FakeScheduler();
  private volatile long nanos;

  /** A clock whose wall time starts at {@link #DEFAULT_START}; the ticker starts at zero. */
  public FakeClock() {
    this(DEFAULT_START);
  }

  /** A clock whose wall time starts at {@code wallStart}; the ticker starts at zero. */
  public FakeClock(Instant wallStart) {
    this.wallStart = wallStart;
  }

  /** The executor whose tasks run only as this clock advances. */
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** A ticker reading this clock's nanoseconds. */
  public Ticker ticker() {
    return new Ticker() {
      @Override
      public long read() {
        return nanos;
      }
    };
  }

  /** A wall clock, in UTC, that moves with this clock. */
  public Clock wallClock() {
    return new FakeWallClock(ZoneOffset.UTC);
  }

  /** The current fake wall time. */
  public Instant now() {
    return wallStart.plusNanos(nanos);
  }

  /** Nanoseconds since this clock was made. */
  public long nanoTime() {
    return nanos;
  }

  /**
   * Moves time forward by {@code duration}, running each task that falls due on the way.
   *
   * @return how many tasks ran
   */
  public int advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot move time backwards: " + duration);
    }
    long target = saturatedAdd(nanos, saturatedNanos(duration));
    int ran = 0;
    while (true) {
      Task<?> next;
      synchronized (lock) {
        next = queue.peek();
        if (next == null || next.dueNanos > target) {
          // Another thread may have advanced further meanwhile: time never moves backwards.
          nanos = Math.max(nanos, target);
          return ran;
        }
        queue.poll();
        nanos = Math.max(nanos, next.dueNanos);
      }
      next.runOnce();
      ran++;
    }
  }

  /** Runs every task due now (including tasks handed to {@code execute}), without moving time. */
  public int runDueTasks() {
    return advance(Duration.ZERO);
  }

  /** How many tasks are scheduled and not yet run or cancelled. */
  public int pendingTaskCount() {
    synchronized (lock) {
      return (int) queue.stream().filter(task -> !task.isCancelled()).count();
    }
  }

  /** How far in the future each pending task is due, soonest first. */
  public List<Duration> pendingDelays() {
    List<Duration> delays = new ArrayList<>();
    synchronized (lock) {
      queue.stream()
          .filter(task -> !task.isCancelled())
          .sorted()
          .forEach(task -> delays.add(Duration.ofNanos(task.dueNanos - nanos)));
    }
    return delays;
  }

  /** How long until the next pending task is due, or null when none is pending. */
  public Duration nextDelay() {
    List<Duration> delays = pendingDelays();
    return delays.isEmpty() ? null : delays.get(0);
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Adds two non-negative amounts; a delay of "forever" must not wrap round to the past. */
  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private <V> Task<V> enqueue(Task<V> task) {
    synchronized (lock) {
      if (scheduler.shutdown) {
        throw new RejectedExecutionException("the FakeClock's scheduler was shut down");
      }
      queue.add(task);
    }
    return task;
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    private final long seq = sequence.getAndIncrement();
    private final long periodNanos;
    private final boolean fixedRate;
    private volatile long dueNanos;

    Task(Callable<V> callable, long dueNanos) {
      super(callable);
      this.dueNanos = dueNanos;
      this.periodNanos = 0;
      this.fixedRate = false;
    }

    Task(Runnable runnable, long dueNanos, long periodNanos, boolean fixedRate) {
      super(runnable, null);
      this.dueNanos = dueNanos;
      this.periodNanos = periodNanos;
      this.fixedRate = fixedRate;
    }

    void runOnce() {
      if (periodNanos == 0) {
        run();
        return;
      }
      if (runAndReset()) {
        synchronized (lock) {
          dueNanos = saturatedAdd(fixedRate ? dueNanos : nanos, periodNanos);
          if (!scheduler.shutdown) {
            queue.add(this);
          }
        }
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      synchronized (lock) {
        queue.remove(this);
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      if (!(other instanceof Task)) {
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
      }
      Task<?> that = (Task<?>) other;
      int byDue = Long.compare(dueNanos, that.dueNanos);
      return byDue != 0 ? byDue : Long.compare(seq, that.seq);
    }

    boolean isPeriodic() {
      return periodNanos != 0;
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
      if (!isDone()) {
        // Waiting would hang the test: only advancing the clock can run this task.
        throw new IllegalStateException(
            "the task is due in " + Duration.ofNanos(dueNanos - nanos)
                + " of fake time; advance the FakeClock before waiting on it");
      }
      return super.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException {
      return get();
    }
  }

  private final class FakeScheduler extends AbstractExecutorService
      implements ScheduledExecutorService {
    private volatile boolean shutdown;

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      return enqueue(new Task<>(command, due(delay, unit), 0, false));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      return enqueue(new Task<>(callable, due(delay, unit)));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      return enqueue(new Task<>(command, due(initialDelay, unit), positive(period, unit), true));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      return enqueue(new Task<>(command, due(initialDelay, unit), positive(delay, unit), false));
    }

    @Override
    public void execute(Runnable command) {
      schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
      // As ScheduledThreadPoolExecutor does by default: delayed tasks still run when their time
      // comes, periodic ones stop.
      List<Task<?>> periodic = new ArrayList<>();
      synchronized (lock) {
        shutdown = true;
        queue.removeIf(task -> task.isPeriodic() && periodic.add(task));
      }
      periodic.forEach(task -> task.cancel(false));
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> pending = new ArrayList<>();
      synchronized (lock) {
        pending.addAll(queue);
        queue.clear();
      }
      return pending;
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      synchronized (lock) {
        return shutdown && queue.isEmpty();
      }
    }

    /** Never waits: only advancing the clock can run what is left. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return isTerminated();
    }

    // AbstractExecutorService's submit() returns a plain FutureTask whose get() would block
    // forever; these return tasks whose get() explains what to do instead.
    @Override
    public Future<?> submit(Runnable task) {
      return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      return schedule(Executors.callable(task, result), 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
      throw waitsForever("invokeAll");
    }

    @Override
    public <T> List<Future<T>> invokeAll(
        Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
      throw waitsForever("invokeAll");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
      throw waitsForever("invokeAny");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
      throw waitsForever("invokeAny");
    }

    private UnsupportedOperationException waitsForever(String method) {
      return new UnsupportedOperationException(
          method + " would wait for tasks that only advancing the FakeClock can run; schedule "
              + "the tasks and call advance() or runDueTasks() instead");
    }

    private long due(long delay, TimeUnit unit) {
      return saturatedAdd(nanos, Math.max(0, unit.toNanos(delay)));
    }

    private long positive(long period, TimeUnit unit) {
      if (period <= 0) {
        throw new IllegalArgumentException("period must be positive: " + period + " " + unit);
      }
      return unit.toNanos(period);
    }
  }

  private final class FakeWallClock extends Clock {
    private final ZoneId zone;

    FakeWallClock(ZoneId zone) {
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return new FakeWallClock(zone);
    }

    @Override
    public Instant instant() {
      return now();
    }
  }
}
