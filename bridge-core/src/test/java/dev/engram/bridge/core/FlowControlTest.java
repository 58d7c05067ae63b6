package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.core.testing.TestBridge.WINDOW;
import static dev.engram.bridge.core.testing.Waits.untilStreamAfter;

import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.core.testing.RecordingHandler;
import dev.engram.bridge.core.testing.ManualExecutor;
import dev.engram.bridge.core.testing.TestBridge;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowControlTest {
  private final ManualExecutor handlerThread = new ManualExecutor();
  private final TestBridge t = new TestBridge();

  @Test
  void eachEventTakenByTheFanOut_asksForExactlyOneMore() {
    t.start();

    for (int i = 1; i <= 40; i++) {
      t.stream().emitRemoval(String.valueOf(i), "p" + i);
    }

    assertThat(t.handler.count()).isEqualTo(40);
    assertThat(t.stream().requested()).isEqualTo(WINDOW + 40);
  }

  @Test
  void aRunOfEvents_returnsItsDemandAQuarterOfTheWindowAtATime() {
    t.start(TestBridge.config().streamRequestWindow(16).build());

    t.stream().emitRun(removals(1, 16));

    assertThat(t.handler.projectIds()).containsExactlyElementsIn(ids(1, 16)).inOrder();
    assertThat(t.stream().requestCalls()).containsExactly(16, 4, 4, 4, 4).inOrder();
  }

  @Test
  void demandShortOfAQuarter_goesBackOnceTheRunIsHandled() {
    t.start(TestBridge.config().streamRequestWindow(16).build());

    t.stream().emitRun(removals(1, 6));

    assertThat(t.stream().requestCalls()).containsExactly(16, 4, 2).inOrder();
    t.stream().emitRemoval("7", "p7");
    assertThat(t.stream().requestCalls()).containsExactly(16, 4, 2, 1).inOrder();
  }

  @Test
  void aRunOfEvents_wakesEachHandlerOnce_afterTheWholeRunIsQueued_andEachSeesItInOrder() {
    // Handlers run inline as soon as their thread is woken: the first call shows when that was.
    List<Integer> acceptedAtFirstCall = new ArrayList<>();
    RecordingHandler second = new RecordingHandler().behaviour(removal -> {
      if (acceptedAtFirstCall.isEmpty()) {
        acceptedAtFirstCall.add(t.listener.accepted().size());
      }
    });
    EngramBridge bridge = t.builder(TestBridge.config().build()).addHandler(second).build();
    bridge.start();

    t.stream().emitRun(removals(1, 10));

    assertThat(acceptedAtFirstCall).containsExactly(10);
    assertThat(t.handler.projectIds()).containsExactlyElementsIn(ids(1, 10)).inOrder();
    assertThat(second.projectIds()).containsExactlyElementsIn(ids(1, 10)).inOrder();
  }

  @Test
  void requestWindow_isConfigurable() {
    t.start(TestBridge.config().streamRequestWindow(3).build());

    assertThat(t.stream().requested()).isEqualTo(3);
  }

  @Test
  void fullHandlerQueue_stopsRequests_andDrainingResumesThem_withoutDroppingAnything() {
    EngramBridge bridge = t.handlerExecutor(handlerThread)
        .builder(TestBridge.config().handlerQueueCapacity(2).streamRequestWindow(16).build())
        .build();
    bridge.start();

    for (int i = 1; i <= 20; i++) {
      t.stream().emitRemoval(String.valueOf(i), "p" + i);
    }

    // Two fit in the queue; the others wait. Only the two taken asked for more.
    assertThat(t.handler.count()).isEqualTo(0);
    assertThat(t.stream().requested()).isEqualTo(16 + 2);
    assertThat(t.stream().delivered()).isEqualTo(18);
    assertThat(t.stream().held()).isEqualTo(2);

    handlerThread.runAll();

    assertThat(t.handler.projectIds()).containsExactlyElementsIn(ids(1, 20)).inOrder();
    assertThat(t.stream().held()).isEqualTo(0);
    assertThat(t.stream().requested()).isEqualTo(16 + 20);
  }

  @Test
  void removalsTheHandlersThreadTookAhead_stillCountAgainstItsQueueCapacity() {
    // While p1 runs, its thread already holds p2, taken with it in one run.
    List<Long> requestedDuringP1 = new ArrayList<>();
    t.handler.behaviour(removal -> {
      if (removal.projectId().equals("p1")) {
        for (int i = 3; i <= 6; i++) {
          t.stream().emitRemoval(String.valueOf(i), "p" + i);
        }
        requestedDuringP1.add(t.stream().requested());
      }
    });
    t.handlerExecutor(handlerThread)
        .start(TestBridge.config().handlerQueueCapacity(2).streamRequestWindow(16).build());
    t.stream().emitRun(removals(1, 2));

    handlerThread.runAll();

    // p2 (taken ahead) and p3 fill the queue of two; p4 to p6 wait, so they ask for nothing.
    assertThat(requestedDuringP1).containsExactly(16L + 3);
    assertThat(t.handler.projectIds()).containsExactlyElementsIn(ids(1, 6)).inOrder();
    assertThat(t.stream().requested()).isEqualTo(16 + 6);
    assertThat(t.stream().held()).isEqualTo(0);
  }

  @Test
  void waitingRemovals_holdPartOfTheWindow_acrossAReconnect() {
    EngramBridge bridge = t.handlerExecutor(handlerThread)
        .builder(TestBridge.config().handlerQueueCapacity(1).build())
        .build();
    bridge.start();
    t.stream().emitRemoval("1", "p1");
    t.stream().emitRemoval("2", "p2");
    t.stream().emitRemoval("3", "p3");

    t.stream().fail(FailureKind.RETRYABLE, "UNAVAILABLE");
    untilStreamAfter(t.clock, t.transport, 1);

    // Two removals still wait for the handler: the new stream may have two fewer in flight.
    assertThat(t.stream().requested()).isEqualTo(WINDOW - 2);
    handlerThread.runAll();
    assertThat(t.handler.projectIds()).containsExactly("p1", "p2", "p3").inOrder();
    assertThat(t.stream().requested()).isEqualTo(WINDOW);
  }

  @Test
  void heartbeatRemovals_thatDoNotFit_waitInOrder_andTheStreamWaitsBehindThem() {
    List<String> tracked = ids(1, 10);
    t.tracker.addAll(tracked);
    t.transport.serverRemoved(tracked);
    EngramBridge bridge = t.handlerExecutor(handlerThread).builder(TestBridge.config()
            .handlerQueueCapacity(2)
            .initialSyncDelayMax(java.time.Duration.ZERO)
            .build())
        .build();
    bridge.start();
    t.clock.runDueTasks();
    assertThat(t.transport.syncCount()).isEqualTo(1);

    t.stream().emitRemoval("1", "s1");
    assertThat(t.stream().requested()).isEqualTo(WINDOW);

    handlerThread.runAll();

    List<String> expected = new ArrayList<>(tracked);
    java.util.Collections.sort(expected);
    expected.add("s1");
    assertThat(t.handler.projectIds()).containsExactlyElementsIn(expected).inOrder();
    assertThat(t.handler.calls().get(0).source()).isEqualTo(RemovalSource.HEARTBEAT);
    assertThat(t.stream().requested()).isEqualTo(WINDOW + 1);
  }

  private static List<ServerEvent> removals(int from, int to) {
    List<ServerEvent> events = new ArrayList<>();
    for (String id : ids(from, to)) {
      events.add(ServerEvent.removal(id.substring(1), id, "deleted"));
    }
    return events;
  }

  private static List<String> ids(int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      ids.add("p" + i);
    }
    return ids;
  }
}
