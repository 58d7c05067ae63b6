package dev.engram.bridge.grpc.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every thread one transport starts, named {@code engram-grpc-<transport>-<role>-<n>} so that a
 * thread dump (or a leak check) tells whose they are. They are daemons, so a transport that is
 * never closed does not keep the JVM alive, and they are remembered so that {@code close()} can
 * wait for them to end.
 */
public final class TransportThreads {
  /** What every thread name of every transport starts with. */
  public static final String NAME_PREFIX = "engram-grpc-";

  private static final Logger logger = LoggerFactory.getLogger(TransportThreads.class);
  private static final AtomicInteger transportIds = new AtomicInteger();

  private final String prefix;
  private final List<Thread> started = new CopyOnWriteArrayList<>();

  private TransportThreads(String prefix) {
    this.prefix = prefix;
  }

  /** Threads for a new transport, with a process-unique number in their names. */
  public static TransportThreads forNewTransport() {
    return new TransportThreads(NAME_PREFIX + transportIds.incrementAndGet() + "-");
  }

  /** A factory of daemon threads named after {@code role}. */
  public ThreadFactory factory(String role) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + role + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      started.add(thread);
      return thread;
    };
  }

  /**
   * A fixed pool for gRPC's callbacks. The queue is unbounded on purpose: gRPC serializes the
   * callbacks of each call, so it holds at most one task per open call. Tasks that arrive after
   * shutdown belong to calls that were already cancelled and are dropped.
   */
  public ExecutorService callbackPool(int threads) {
    RejectedExecutionHandler dropLate = (task, pool) ->
        logger.atDebug().log("dropped a gRPC callback that arrived after the transport closed");
    return new ThreadPoolExecutor(
        threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        factory("callback"), dropLate);
  }

  /** Whether the calling thread is one of ours, which must never wait for itself. */
  public boolean isCurrentThreadOurs() {
    return started.contains(Thread.currentThread());
  }

  /**
   * Waits up to {@code eachBound} for each thread started so far to end, except the calling one.
   *
   * @return whether all of them ended
   */
  public boolean awaitAllEnded(Duration eachBound) {
    boolean allEnded = true;
    for (Thread thread : started) {
      if (thread == Thread.currentThread()) {
        continue;
      }
      try {
        thread.join(Math.max(1, eachBound.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      allEnded &= !thread.isAlive();
    }
    return allEnded;
  }
}
