package dev.engram.bridge.core.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the engine's tasks one at a time, in submission order, on whichever thread submits when
 * no other thread is already running them.
 *
 * <p>The stream loop and the heartbeat keep their state here instead of behind locks, so that
 * they can call out (to the transport, to listeners) without holding one: a callback that
 * re-enters is queued and runs right after the current task, on the same thread. Tasks run
 * inline when uncontended, which is also what makes the engine deterministic under a fake clock.
 */
final class SerialContext implements Executor {
  private static final Logger logger = LoggerFactory.getLogger(SerialContext.class);

  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Thread> runner = new AtomicReference<>();

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    drain();
  }

  private void drain() {
    // Loop: a task may be added after we drained the queue but before we released it.
    while (!tasks.isEmpty() && runner.compareAndSet(null, Thread.currentThread())) {
      try {
        Runnable task;
        while ((task = tasks.poll()) != null) {
          try {
            task.run();
          } catch (RuntimeException e) {
            logger.atError().setCause(e).log("internal task failed; the bridge carries on");
          }
        }
      } finally {
        runner.set(null);
      }
    }
  }
}
