package dev.engram.bridge.core.internal;

import com.google.common.base.Ticker;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each accepted removal to every handler's own {@link HandlerQueue}, in the handlers'
 * order, and calls the handlers.
 *
 * <p>When a handler's queue is full, removals for it wait here in a backlog, in order; the
 * caller's {@code onAccepted} runs only once every target handler has taken the removal. The
 * stream asks its transport for one more event per accepted removal, so a full queue stops the
 * stream (backpressure) instead of dropping removals or growing without bound. The backlog is
 * bounded by the stream's request window plus what one reconciliation reported.
 *
 * <p>{@link #submit} and the backlog belong to the serial context; handler calls run on the
 * handler executor.
 */
final class FanOut implements HandlerQueue.Invoker {
  private static final Logger logger = LoggerFactory.getLogger(FanOut.class);

  /** A removal not yet taken by every handler it is meant for. */
  private static final class Pending {
    final HandlerQueue.Job job;
    final BitSet remaining;
    final Runnable onAccepted;

    Pending(HandlerQueue.Job job, BitSet remaining, Runnable onAccepted) {
      this.job = job;
      this.remaining = remaining;
      this.onAccepted = onAccepted;
    }
  }

  private final List<HandlerQueue> queues;
  private final List<SlowCallWatch> watches;
  private final Deduplicator dedup;
  private final BridgeListener listener;
  private final Timers timers;
  private final Ticker ticker;
  private final Duration slowThreshold;
  private final Executor context;
  private final ArrayDeque<Pending> backlog = new ArrayDeque<>();
  private final int[] waitingFor;
  /** Handlers given work in this run of the serial context, to be woken once at its end. */
  private final int[] toStart;
  private int toStartCount;
  private final boolean[] toStartMarked;
  private boolean startQueued;
  private final AtomicBoolean drainRequested = new AtomicBoolean();
  private volatile boolean closed;

  FanOut(
      List<ProjectRemovalAware> handlers,
      int capacity,
      Executor handlerExecutor,
      Deduplicator dedup,
      BridgeListener listener,
      Timers timers,
      Ticker ticker,
      Duration slowThreshold,
      Executor context) {
    this.dedup = dedup;
    this.listener = listener;
    this.timers = timers;
    this.ticker = ticker;
    this.slowThreshold = slowThreshold;
    this.context = context;
    List<HandlerQueue> built = new ArrayList<>();
    for (int i = 0; i < handlers.size(); i++) {
      built.add(new HandlerQueue(
          i, handlers.get(i), capacity, handlerExecutor, this, this::roomFreed));
    }
    this.queues = List.copyOf(built);
    this.watches = queues.stream().map(SlowCallWatch::new).toList();
    this.waitingFor = new int[handlers.size()];
    this.toStart = new int[handlers.size()];
    this.toStartMarked = new boolean[handlers.size()];
  }

  /**
   * Queues {@code removal} for the given handlers, or keeps it in the backlog until they have
   * room. Runs in the serial context.
   *
   * @param onAccepted run (in the serial context) once every handler has taken it
   */
  void submit(
      ProjectRemoval removal,
      Deduplicator.Delivery delivery,
      List<Integer> handlers,
      Runnable onAccepted) {
    HandlerQueue.Job job = new HandlerQueue.Job(removal, delivery);
    if (closed) {
      handlers.forEach(h -> dedup.abandoned(delivery, h));
      return;
    }
    BitSet remaining = null;
    for (int i = 0, n = handlers.size(); i < n; i++) {
      int h = handlers.get(i);
      // Straight to the queue only when nothing earlier waits for this handler: order holds.
      if (waitingFor[h] > 0 || !offer(h, job)) {
        if (remaining == null) {
          remaining = new BitSet(queues.size());
        }
        remaining.set(h);
        waitingFor[h]++;
      }
    }
    if (toStartCount > 0 && !startQueued) {
      // After the task that submits now (and any run of submits it makes) is over.
      startQueued = true;
      context.execute(this::startDrains);
    }
    if (remaining == null) {
      onAccepted.run();
    } else {
      backlog.add(new Pending(job, remaining, onAccepted));
      logger.atDebug()
          .addKeyValue("project_id", removal.projectId())
          .addKeyValue("backlog", backlog.size())
          .log("a handler queue is full; removal waits");
    }
  }

  private void roomFreed() {
    if (drainRequested.compareAndSet(false, true)) {
      context.execute(() -> {
        drainRequested.set(false);
        drainBacklog();
      });
    }
  }

  private void drainBacklog() {
    if (closed) {
      return;
    }
    boolean[] full = new boolean[queues.size()];
    Iterator<Pending> it = backlog.iterator();
    while (it.hasNext() && !everyWaitingHandlerFull(full)) {
      Pending pending = it.next();
      for (int h = pending.remaining.nextSetBit(0); h >= 0;
          h = pending.remaining.nextSetBit(h + 1)) {
        if (full[h]) {
          continue;
        }
        if (offer(h, pending.job)) {
          pending.remaining.clear(h);
          waitingFor[h]--;
        } else {
          full[h] = true;
        }
      }
      if (pending.remaining.isEmpty()) {
        it.remove();
        pending.onAccepted.run();
      }
    }
    startDrains();
  }

  /** Queues {@code job} for handler {@code h}, remembering to wake its thread afterwards. */
  private boolean offer(int h, HandlerQueue.Job job) {
    if (!queues.get(h).offer(job)) {
      return false;
    }
    if (!toStartMarked[h]) {
      toStartMarked[h] = true;
      toStart[toStartCount++] = h;
    }
    return true;
  }

  /** Wakes the handlers that were given work since the last call: once each. */
  private void startDrains() {
    startQueued = false;
    for (int i = 0; i < toStartCount; i++) {
      int h = toStart[i];
      toStartMarked[h] = false;
      // A queue closes only once the fan-out is closing: what it drops is never delivered.
      for (HandlerQueue.Job dropped : queues.get(h).startDraining()) {
        dedup.abandoned(dropped.delivery(), h);
      }
    }
    toStartCount = 0;
  }

  private boolean everyWaitingHandlerFull(boolean[] full) {
    for (int h = 0; h < waitingFor.length; h++) {
      if (waitingFor[h] > 0 && !full[h]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void invoke(HandlerQueue queue, HandlerQueue.Job job) {
    ProjectRemovalAware handler = queue.handler();
    ProjectRemoval removal = job.removal();
    SlowCallWatch watch = watches.get(queue.index());
    watch.started(job);
    Throwable error = null;
    try {
      handler.onProjectRemoved(removal);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      error = e;
    } finally {
      watch.finished();
    }

    if (error == null) {
      Deduplicator.Attempt attempt = dedup.succeeded(job.delivery(), queue.index());
      logger.atDebug()
          .addKeyValue("handler", queue.name())
          .addKeyValue("project_id", removal.projectId())
          .addKeyValue("source", removal.source().wireName())
          .addKeyValue("attempt", attempt.number())
          .log("removal delivered");
    } else if (closed) {
      dedup.abandoned(job.delivery(), queue.index());
      logger.atInfo()
          .addKeyValue("handler", queue.name())
          .addKeyValue("project_id", removal.projectId())
          .addKeyValue("error", error.toString())
          .log("handler ended with an error while the bridge was closing");
    } else {
      reportFailure(queue, removal, job.delivery(), error);
    }
  }

  private void reportFailure(
      HandlerQueue queue, ProjectRemoval removal, Deduplicator.Delivery delivery, Throwable error) {
    Deduplicator.Attempt attempt = dedup.failed(delivery, queue.index());
    if (attempt.givingUp()) {
      logger.atError()
          .addKeyValue("handler", queue.name())
          .addKeyValue("project_id", removal.projectId())
          .addKeyValue("attempt", attempt.number())
          .setCause(error)
          .log("handler failed on its last attempt; giving up on this removal for it");
    } else {
      logger.atWarn()
          .addKeyValue("handler", queue.name())
          .addKeyValue("project_id", removal.projectId())
          .addKeyValue("attempt", attempt.number())
          .setCause(error)
          .log("handler failed; it is called again when the removal is next reported");
    }
    listener.handlerFailed(
        queue.handler(), removal, error, attempt.number(), attempt.givingUp());
  }

  /**
   * Notices one handler's calls that run longer than the slow threshold, with at most one timer
   * pending per handler however many calls it makes: a call does not arm a timer of its own, it
   * relies on the one already pending, which on firing looks at the call running then and waits
   * again for what that call has left of the threshold. An idle handler has no timer.
   */
  private final class SlowCallWatch {
    private final HandlerQueue queue;
    /** The call running now, or null; written by the handler's thread only. */
    private volatile HandlerQueue.Job running;
    /** When {@link #running} started; written before it, so a reader of it sees this. */
    private volatile long startedAt;
    /** Whether a check is pending; set by the handler's thread, cleared by the check. */
    private final AtomicBoolean armed = new AtomicBoolean();

    SlowCallWatch(HandlerQueue queue) {
      this.queue = queue;
    }

    void started(HandlerQueue.Job job) {
      startedAt = ticker.read();
      running = job;
      if (!armed.get() && armed.compareAndSet(false, true)) {
        timers.scheduleDirect(slowThreshold, this::check);
      }
    }

    void finished() {
      running = null;
    }

    private void check() {
      for (int look = 0; look < 3; look++) {
        HandlerQueue.Job call = running;
        if (call == null) {
          armed.set(false);
          // A call that started after the read above but before the flag was cleared armed
          // nothing: whoever sets the flag again looks at it.
          if (running == null || !armed.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        // Read after the call: a newer call's start can only make the elapsed time shorter.
        Duration elapsed = Duration.ofNanos(ticker.read() - startedAt);
        Duration left = slowThreshold.minus(elapsed);
        if (left.compareTo(Duration.ZERO) > 0) {
          timers.scheduleDirect(left, this::check);
          return;
        }
        if (running == call) {
          // Reported once; the next call arms the watch again.
          armed.set(false);
          report(call, elapsed);
          return;
        }
        // That call ended while it was looked at: look at the one running now.
      }
      timers.scheduleDirect(slowThreshold, this::check);
    }

    private void report(HandlerQueue.Job slow, Duration elapsed) {
      logger.atWarn()
          .addKeyValue("handler", queue.name())
          .addKeyValue("project_id", slow.removal().projectId())
          .addKeyValue("elapsed_ms", elapsed.toMillis())
          .addKeyValue("threshold_ms", slowThreshold.toMillis())
          .log("handler call is slow");
      listener.handlerSlow(queue.handler(), slow.removal(), elapsed);
    }
  }

  /**
   * Stops the fan-out within {@code budgetNanos}: what waits in the backlog is dropped, queued
   * removals get half the budget to finish, then running calls are interrupted and, if still
   * running when the budget is spent, abandoned with a log line.
   *
   * @return the part of the budget that was not used
   */
  long close(long budgetNanos) {
    closed = true;
    context.execute(this::dropBacklog);

    long drainBudget = budgetNanos / 2;
    long drainLeft = drainBudget;
    boolean interrupted = false;
    try {
      for (HandlerQueue queue : queues) {
        drainLeft = queue.awaitIdle(Math.max(drainLeft, 0));
      }
    } catch (InterruptedException e) {
      interrupted = true;
      drainLeft = 0;
    }

    long left = budgetNanos - drainBudget + Math.max(drainLeft, 0);
    for (HandlerQueue queue : queues) {
      List<HandlerQueue.Job> dropped = queue.closeAndInterrupt();
      for (HandlerQueue.Job job : dropped) {
        dedup.abandoned(job.delivery(), queue.index());
      }
      if (!dropped.isEmpty()) {
        logger.atInfo()
            .addKeyValue("handler", queue.name())
            .addKeyValue("removals", dropped.size())
            .log("closing: removals not yet handled were dropped");
      }
    }
    try {
      for (HandlerQueue queue : queues) {
        if (!interrupted) {
          left = queue.awaitIdle(Math.max(left, 0));
        }
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    for (HandlerQueue queue : queues) {
      ProjectRemoval running = queue.runningRemoval();
      if (running != null) {
        logger.atWarn()
            .addKeyValue("handler", queue.name())
            .addKeyValue("project_id", running.projectId())
            .log("handler still running after the close grace period; abandoned");
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return Math.max(left, 0);
  }

  private void dropBacklog() {
    if (backlog.isEmpty()) {
      return;
    }
    logger.atInfo()
        .addKeyValue("removals", backlog.size())
        .log("closing: removals waiting for a full handler queue were dropped");
    for (Pending pending : backlog) {
      for (int h = pending.remaining.nextSetBit(0); h >= 0;
          h = pending.remaining.nextSetBit(h + 1)) {
        dedup.abandoned(pending.job.delivery(), h);
      }
    }
    backlog.clear();
    java.util.Arrays.fill(waitingFor, 0);
  }
}
