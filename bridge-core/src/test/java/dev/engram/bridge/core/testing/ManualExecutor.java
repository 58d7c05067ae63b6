package dev.engram.bridge.core.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/** An executor whose tasks run only when the test says so, on the test's thread. */
public final class ManualExecutor implements Executor {
  private final Deque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(task);
  }

  /** Runs what is queued now and whatever those tasks queue, until nothing is left. */
  public int runAll() {
    int ran = 0;
    Runnable task;
    while ((task = poll()) != null) {
      task.run();
      ran++;
    }
    return ran;
  }

  public synchronized int queued() {
    return tasks.size();
  }

  private synchronized Runnable poll() {
    return tasks.poll();
  }
}
