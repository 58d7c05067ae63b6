package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler's bounded, serial queue. At most one task drains it at a time, so the handler is
 * never called from two threads at once, and removals reach it in the order they were queued.
 * A handler that blocks holds only its own queue's thread.
 */
final class HandlerQueue {
  private static final Logger logger = LoggerFactory.getLogger(HandlerQueue.class);

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

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final ArrayDeque<Job> waiting = new ArrayDeque<>();
  private boolean draining;
  /** An offer started a drain that {@link #startDraining()} has not handed out yet. */
  private boolean startPending;
  private boolean closed;
  private Thread runner;
  private Job current;

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
   * Queues {@code job} if there is room. The handler's thread is not woken here: the caller
   * calls {@link #startDraining()} after its run of offers, so that a run wakes it once.
   *
   * @return false when the queue is full or closed; nothing was queued
   */
  boolean offer(Job job) {
    lock.lock();
    try {
      if (closed || waiting.size() >= capacity) {
        return false;
      }
      waiting.add(job);
      if (!draining) {
        // Counted as draining from now on, so that awaitIdle waits for the drain to come.
        draining = true;
        startPending = true;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Hands the drain to the executor if an offer asked for it; otherwise does nothing. */
  void startDraining() {
    lock.lock();
    try {
      if (!startPending) {
        return;
      }
      startPending = false;
    } finally {
      lock.unlock();
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The bridge's own pool rejects only while closing. A given executor that is saturated
      // leaves the removal queued: the next offer tries again.
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
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  private void drain() {
    Job job = finishAndTakeNext(null, false);
    while (job != null) {
      boolean interruptedBefore = Thread.currentThread().isInterrupted();
      boolean returned = false;
      try {
        invoker.invoke(this, job);
        returned = true;
      } finally {
        if (!returned) {
          // Only a VirtualMachineError gets here. The thread ends with it; the next offer
          // starts a new drain.
          abandonDrain();
        }
      }
      job = finishAndTakeNext(job, interruptedBefore);
    }
  }

  private void abandonDrain() {
    lock.lock();
    try {
      current = null;
      runner = null;
      draining = false;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the call of {@code finished} (null before the first) and takes the next job, in one
   * turn of the lock.
   *
   * @param interruptedBefore whether the thread was interrupted before that call: a handler may
   *     leave its thread interrupted, and that must not leak into the next call, but an interrupt
   *     the thread already had (a caller's thread, with an inline executor) is not ours to clear
   * @return the job to run next, or null when the drain is over
   */
  private Job finishAndTakeNext(Job finished, boolean interruptedBefore) {
    Job next;
    boolean wasFull;
    lock.lock();
    try {
      if (finished != null) {
        current = null;
        runner = null;
        if (!interruptedBefore && !closed) {
          Thread.interrupted();
        }
      }
      if (closed || waiting.isEmpty()) {
        draining = false;
        idle.signalAll();
        return null;
      }
      wasFull = waiting.size() >= capacity;
      next = waiting.poll();
      current = next;
      runner = Thread.currentThread();
    } finally {
      lock.unlock();
    }
    if (wasFull) {
      onRoom.run();
    }
    return next;
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
   * interrupted.
   *
   * @return the removals that were waiting and will not be delivered
   */
  List<Job> closeAndInterrupt() {
    lock.lock();
    try {
      closed = true;
      List<Job> dropped = List.copyOf(waiting);
      waiting.clear();
      if (runner != null) {
        runner.interrupt();
      }
      if (current == null) {
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
    lock.lock();
    try {
      return current == null ? null : current.removal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "HandlerQueue{" + name() + ", waiting=" + waitingCount() + "}";
  }
}
