package dev.engram.bridge.core.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine's one-shot timers on the (possibly shared) scheduler. Each fires into the serial
 * context unless cancelled. Every live timer is remembered so that {@link #cancelAll()} leaves
 * nothing behind on a scheduler the bridge does not own.
 */
final class Timers {
  /** A scheduled one-shot task; cancelling is idempotent and safe from any thread. */
  interface Timer {
    /** A timer that is never pending. */
    Timer NONE = new Timer() {
      @Override
      public void cancel() {}

      @Override
      public boolean isPending() {
        return false;
      }
    };

    void cancel();

    boolean isPending();
  }

  private final ScheduledExecutorService scheduler;
  private final Executor context;
  private final Set<Handle> live = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  Timers(ScheduledExecutorService scheduler, Executor context) {
    this.scheduler = scheduler;
    this.context = context;
  }

  /** Runs {@code task} in the serial context after {@code delay}. */
  Timer schedule(Duration delay, Runnable task) {
    return scheduleOn(delay, task, true);
  }

  /** Runs {@code task} on the scheduler's own thread after {@code delay}. */
  Timer scheduleDirect(Duration delay, Runnable task) {
    return scheduleOn(delay, task, false);
  }

  private Timer scheduleOn(Duration delay, Runnable task, boolean inContext) {
    if (closed) {
      return Timer.NONE;
    }
    Handle handle = new Handle(task, inContext);
    live.add(handle);
    try {
      handle.future.set(scheduler.schedule(handle, delay.toNanos(), TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      // Only happens while closing: the bridge's own scheduler was shut down.
      live.remove(handle);
      return Timer.NONE;
    }
    if (closed) {
      handle.cancel();
    }
    return handle;
  }

  /** Cancels every pending timer; later calls to schedule do nothing. */
  void cancelAll() {
    closed = true;
    for (Handle handle : live) {
      handle.cancel();
    }
  }

  private final class Handle implements Timer, Runnable {
    private final Runnable task;
    private final boolean inContext;
    private final AtomicReference<Future<?>> future = new AtomicReference<>();
    private volatile boolean fired;
    private volatile boolean cancelled;

    Handle(Runnable task, boolean inContext) {
      this.task = task;
      this.inContext = inContext;
    }

    @Override
    public void run() {
      if (fired || cancelled) {
        return;
      }
      fired = true;
      live.remove(this);
      if (inContext) {
        // Checked again in the context: a cancel that ran while this waited there still counts.
        context.execute(() -> {
          if (!cancelled && !closed) {
            task.run();
          }
        });
      } else if (!closed) {
        task.run();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
      live.remove(this);
      Future<?> scheduled = future.get();
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }

    @Override
    public boolean isPending() {
      return !fired && !cancelled;
    }
  }
}
