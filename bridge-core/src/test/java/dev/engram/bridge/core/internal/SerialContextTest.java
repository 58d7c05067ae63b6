package dev.engram.bridge.core.internal;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.core.testing.Concurrently;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialContextTest {
  private final SerialContext context = new SerialContext();

  @Test
  void execute_uncontended_runsInlineOnTheCallingThread() {
    List<Thread> ran = new ArrayList<>();

    context.execute(() -> ran.add(Thread.currentThread()));

    assertThat(ran).containsExactly(Thread.currentThread());
  }

  @Test
  void execute_fromInsideATask_runsAfterTheCurrentTaskNotNested() {
    List<String> order = new ArrayList<>();

    context.execute(() -> {
      order.add("outer-start");
      context.execute(() -> order.add("inner"));
      order.add("outer-end");
    });

    assertThat(order).containsExactly("outer-start", "outer-end", "inner").inOrder();
  }

  @Test
  void throwingTask_doesNotStopLaterTasks() {
    List<String> order = new ArrayList<>();

    context.execute(() -> {
      context.execute(() -> {
        throw new IllegalStateException("boom");
      });
      context.execute(() -> order.add("after"));
    });

    assertThat(order).containsExactly("after");
  }

  @Test
  void manyThreads_tasksNeverOverlapAndNoneIsLost() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
    Concurrently.run(8, thread -> {
      for (int i = 0; i < 1000; i++) {
        int id = thread * 1000 + i;
        context.execute(() -> {
          if (inside.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
          }
          ran.add(id);
          inside.decrementAndGet();
        });
      }
    });

    assertThat(overlaps.get()).isEqualTo(0);
    assertThat(ran).hasSize(8000);
  }
}
