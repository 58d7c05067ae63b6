package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler's bounded, serial queue. At most one task drains it at a time, so the handler is
 * never called from two threads at once, and removals reach it in the order they were queued.
 * A handler that blocks holds only its own queue's thread.
 *
 * <p>Work crosses between the two threads in runs, not one removal at a time: the serial context
 * stages what it offers and hands the whole run over in one turn of the lock
 * ({@link #startDraining}), and the drain takes everything waiting in one turn too and then
 * works through it with only a compare-and-set of its own per removal. A lock shared per removal
 * would move its cache line between the two cores twice for every removal and every handler.
 *
 * <p>The capacity bounds what is staged, waiting and taken but not yet started, together.
 */
final class HandlerQueue {
  private static final Logger logger = LoggerFactory.getLogger(HandlerQueue.class);
  /** {@link #cursor} once {@link #closeAndInterrupt} has taken the rest of the run in hand. */
  private static final int CLAIMED_BY_CLOSE = -1;

  /** One removal waiting for this handler. */
  record Job(ProjectRemoval removal, Deduplicator.Delivery delivery) {}

  /** Calls the handler for one job; owns logging, retries and slow-call reports. */
  interface Invoker {
    void invoke(HandlerQueue queue, Job job);
  }

  private final int index;
  private final ProjectRemovalAware handler;
  private final String name;
  private final int capacity;
  private final Executor executor;
  private final Invoker invoker;
  private final Runnable onRoom;

  /** Offered and not yet handed over; serial context only. */
  private final List<Job> staged = new ArrayList<>();
  /** How many more may be staged: the room there was at the last hand-over; serial context. */
  private int stageRoom;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final ArrayDeque<Job> waiting = new ArrayDeque<>();
  /** The run the drain took; {@code [cursor, runEnd)} is not started yet. Guarded by lock. */
  private Job[] run = new Job[16];
  private int runEnd;
  /** The next index of {@link #run} to start; the drain moves it past a job to claim it. */
  private final AtomicInteger cursor = new AtomicInteger();
  private boolean draining;
  /** A hand-over queued work that {@link #startDraining()} has not started a drain for. */
  private boolean startPending;
  private volatile boolean closed;
  /** The serial context found the queue full; the drain tells it when room frees. */
  private volatile boolean roomWanted;
  private Thread runner;
  private volatile Job current;

  /**
   * @param onRoom called, on the handler's thread, when a slot frees in a queue that was full
   */
  HandlerQueue(
      int index,
      ProjectRemovalAware handler,
      int capacity,
      Executor executor,
      Invoker invoker,
      Runnable onRoom) {
    this.index = index;
    this.handler = handler;
    this.name = handler.getClass().getName();
    this.capacity = capacity;
    this.stageRoom = capacity;
    this.executor = executor;
    this.invoker = invoker;
    this.onRoom = onRoom;
  }

  int index() {
    return index;
  }

  ProjectRemovalAware handler() {
    return handler;
  }

  String name() {
    return name;
  }

  /**
   * Queues {@code job} if there is room. Serial context only. Nothing reaches the handler's
   * thread until {@link #startDraining()}, which the caller calls after its run of offers.
   *
   * @return false when the queue is full or closed; nothing was queued
   */
  boolean offer(Job job) {
    if (closed) {
      return false;
    }
    if (staged.size() >= stageRoom) {
      handOver(true);
    }
    if (staged.size() >= stageRoom) {
      return false;
    }
    staged.add(job);
    return true;
  }

  /**
   * Hands what was staged to the drain and starts one if none runs. Serial context only.
   *
   * @return the staged removals that were dropped because the queue closed meanwhile
   */
  List<Job> startDraining() {
    if (!handOver(false)) {
      List<Job> dropped = List.copyOf(staged);
      staged.clear();
      return dropped;
    }
    boolean start;
    lock.lock();
    try {
      start = startPending;
      startPending = false;
    } finally {
      lock.unlock();
    }
    if (start) {
      submitDrain();
    }
    return List.of();
  }

  /**
   * Moves the staged jobs to {@link #waiting} and learns how much room is left.
   *
   * @param full whether the caller has found no room to stage; if there is still none, the
   *     drain is asked to say when some frees
   * @return false, with nothing moved, when the queue is closed
   */
  private boolean handOver(boolean full) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      if (!staged.isEmpty()) {
        waiting.addAll(staged);
        staged.clear();
        if (!draining) {
          // Counted as draining from now on, so that awaitIdle waits for the drain to come.
          draining = true;
          startPending = true;
        }
      }
      stageRoom = capacity - waiting.size() - notStarted();
      if (full && stageRoom <= 0) {
        roomWanted = true;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** How many of the drain's run are neither started nor claimed by close; guarded by lock. */
  private int notStarted() {
    int next = cursor.get();
    return next < 0 ? 0 : runEnd - next;
  }

  private void submitDrain() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The bridge's own pool rejects only while closing. A given executor that is saturated
      // leaves the removals queued: the next hand-over tries again.
      lock.lock();
      try {
        draining = false;
        idle.signalAll();
      } finally {
        lock.unlock();
      }
      logger.atWarn()
          .addKeyValue("handler", name())
          .addKeyValue("waiting", waitingCount())
          .log("the handler executor rejected work; removals wait for the next attempt");
    }
  }

  /** How many removals wait (not counting the one running). */
  int waitingCount() {
    lock.lock();
    try {
      return waiting.size() + notStarted();
    } finally {
      lock.unlock();
    }
  }

  private void drain() {
    Thread thread = Thread.currentThread();
    int end;
    while ((end = takeRun(thread)) > 0) {
      for (int i = cursor.get(); i >= 0 && i < end; i = cursor.get()) {
        Job job = run[i];
        // Published before the claim, so that a close that sees the claim sees the call too.
        current = job;
        if (!cursor.compareAndSet(i, i + 1)) {
          current = null;
          break;
        }
        // Claiming the job freed its slot.
        if (roomWanted) {
          roomWanted = false;
          onRoom.run();
        }
        call(job, thread);
      }
    }
  }

  private void call(Job job, Thread thread) {
    boolean interruptedBefore = thread.isInterrupted();
    boolean returned = false;
    try {
      invoker.invoke(this, job);
      returned = true;
    } finally {
      current = null;
      if (!returned) {
        // Only a VirtualMachineError gets here. The thread ends with it; the next hand-over
        // starts a new drain.
        abandonDrain();
      }
    }
    // A handler may leave its thread interrupted, and that must not leak into the next call;
    // an interrupt the thread already had (a caller's thread, with an inline executor) is not
    // ours to clear.
    if (!interruptedBefore && !closed) {
      Thread.interrupted();
    }
  }

  /**
   * Takes everything waiting as the next run, in one turn of the lock.
   *
   * @return the run's length, or 0 when the drain is over
   */
  private int takeRun(Thread thread) {
    boolean tellRoom;
    int taken;
    lock.lock();
    try {
      Arrays.fill(run, 0, runEnd, null);
      runEnd = 0;
      if (closed || waiting.isEmpty()) {
        cursor.set(0);
        runner = null;
        draining = false;
        idle.signalAll();
        return 0;
      }
      if (run.length < waiting.size()) {
        run = new Job[Math.max(waiting.size(), Math.min(capacity, run.length * 2))];
      }
      for (taken = 0; !waiting.isEmpty(); taken++) {
        run[taken] = waiting.poll();
      }
      runEnd = taken;
      cursor.set(0);
      runner = thread;
      tellRoom = roomWanted;
      roomWanted = false;
    } finally {
      lock.unlock();
    }
    if (tellRoom) {
      onRoom.run();
    }
    return taken;
  }

  private void abandonDrain() {
    lock.lock();
    try {
      Arrays.fill(run, 0, runEnd, null);
      runEnd = 0;
      cursor.set(0);
      runner = null;
      draining = false;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until nothing waits and nothing runs, or until {@code nanos} have passed.
   *
   * @return the time left, 0 or less when it did not become idle
   */
  long awaitIdle(long nanos) throws InterruptedException {
    lock.lock();
    try {
      while ((draining || current != null) && nanos > 0) {
        nanos = idle.awaitNanos(nanos);
      }
      return (draining || current != null) ? 0 : Math.max(nanos, 1);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the queue: nothing more is accepted or started, and the running call, if any, is
   * interrupted. What the serial context staged and had not handed over yet is dropped at its
   * next hand-over, which returns it.
   *
   * @return the removals that were waiting and will not be delivered
   */
  List<Job> closeAndInterrupt() {
    lock.lock();
    try {
      closed = true;
      List<Job> dropped = new ArrayList<>(waiting);
      waiting.clear();
      int from = cursor.getAndSet(CLAIMED_BY_CLOSE);
      for (int i = Math.max(from, 0); i < runEnd; i++) {
        dropped.add(run[i]);
      }
      Job running = current;
      if (runner != null && running != null) {
        runner.interrupt();
      }
      if (running == null && runner == null) {
        draining = false;
        idle.signalAll();
      }
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** The removal being handled now, or null. */
  ProjectRemoval runningRemoval() {
    Job running = current;
    return running == null ? null : running.removal();
  }

  @Override
  public String toString() {
    return "HandlerQueue{" + name() + ", waiting=" + waitingCount() + "}";
  }
}
