package dev.engram.bridge.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one body on many real threads released at the same instant, for thread-safety tests. */
public final class Concurrently {

  /** The body of one thread; {@code thread} is its index from 0. */
  @FunctionalInterface
  public interface Body {
    void run(int thread) throws Exception;
  }

  private Concurrently() {}

  /** Starts {@code threads} threads together and waits (10 s at most) for all of them. */
  public static void run(int threads, Body body) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          body.run(thread);
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
