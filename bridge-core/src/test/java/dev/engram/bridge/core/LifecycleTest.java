package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.base.Stopwatch;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.core.testing.BridgeThreads;
import dev.engram.bridge.core.testing.FakeTransport;
import dev.engram.bridge.core.testing.MemoryTransportProvider;
import dev.engram.bridge.core.testing.QuietLogs;
import dev.engram.bridge.core.testing.RecordingHandler;
import dev.engram.bridge.core.testing.RecordingListener;
import dev.engram.bridge.core.testing.TestBridge;
import dev.engram.bridge.testkit.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  private static final Duration GRACE = Duration.ofMillis(400);
  /** Scheduling slack on a busy machine, on top of the grace period. */
  private static final Duration SLACK = Duration.ofMillis(300);

  private final TestBridge t = new TestBridge();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseBlockedHandlers() {
    release.countDown();
  }

  @Test
  void startAndClose_areIdempotent() {
    EngramBridge bridge = t.start();
    bridge.start();
    assertThat(t.transport.streamCount()).isEqualTo(1);

    bridge.close();
    bridge.close();

    assertThat(bridge.state()).isEqualTo(BridgeState.STOPPED);
    assertThat(t.listener.states().stream().filter(BridgeState.STOPPED::equals).count())
        .isEqualTo(1);
    assertThat(QuietLogs.linesWith("INFO", "bridge closed")).hasSize(1);
  }

  @Test
  void start_afterClose_isRefused() {
    EngramBridge bridge = t.start();
    bridge.close();

    IllegalStateException e = assertThrows(IllegalStateException.class, bridge::start);
    assertThat(e).hasMessageThat().contains("closed");
  }

  @Test
  void close_beforeStart_stopsAndClosesTheTransport() {
    EngramBridge bridge = t.builder(TestBridge.config().build()).build();

    bridge.close();

    assertThat(bridge.state()).isEqualTo(BridgeState.STOPPED);
    assertThat(t.transport.isClosed()).isTrue();
    assertThat(t.transport.streamCount()).isEqualTo(0);
  }

  @Test
  void noServerConfigured_startWarnsOnce_staysDisabled_andNothingRuns() {
    FakeClock clock = new FakeClock();
    RecordingListener listener = new RecordingListener();
    EngramBridge bridge = EngramBridge.builder()
        .config(BridgeConfig.defaults())
        .discoverServices(false)
        .addListener(listener)
        .wallClock(clock.wallClock())
        .build();

    bridge.start();
    bridge.start();

    assertThat(bridge.state()).isEqualTo(BridgeState.DISABLED);
    assertThat(listener.states()).containsExactly(BridgeState.DISABLED);
    assertThat(QuietLogs.linesWith("WARN", "no engram server configured", "ENGRAM_URL"))
        .hasSize(1);
    assertThat(BridgeThreads.alive()).isEmpty();
    bridge.close();
    assertThat(bridge.state()).isEqualTo(BridgeState.STOPPED);
  }

  @Test
  void close_cancelsTheStreamAndEveryTimer_closesTheTransport_butNotAnInjectedScheduler() {
    EngramBridge bridge = t.start();
    t.stream().emitRemoval("1", "p1");
    t.clock.advance(Duration.ofSeconds(3));
    assertThat(t.clock.pendingTaskCount()).isGreaterThan(0);

    bridge.close();

    assertThat(t.clock.pendingTaskCount()).isEqualTo(0);
    assertThat(t.stream().isCancelled()).isTrue();
    assertThat(t.transport.isClosed()).isTrue();
    assertThat(t.clock.scheduler().isShutdown()).isFalse();
    assertThat(bridge.state()).isEqualTo(BridgeState.STOPPED);
  }

  @Test
  void close_whileBackingOff_cancelsTheReconnect() {
    EngramBridge bridge = t.start();
    t.stream().fail(dev.engram.bridge.api.transport.FailureKind.RETRYABLE, "UNAVAILABLE");

    bridge.close();
    t.clock.advance(Duration.ofMinutes(5));

    assertThat(t.transport.openCalls()).isEqualTo(1);
    assertThat(t.transport.syncCount()).isEqualTo(0);
  }

  @Test
  void clientId_isPidDashCreationEpochSeconds_builtOnce() {
    EngramBridge bridge = t.builder(TestBridge.config().build()).build();
    String id = bridge.clientId();

    t.clock.advance(Duration.ofHours(1));
    bridge.start();

    assertThat(id).isEqualTo(ProcessHandle.current().pid() + "-"
        + FakeClock.DEFAULT_START.getEpochSecond());
    assertThat(bridge.clientId()).isEqualTo(id);
    assertThat(t.stream().clientId()).isEqualTo(id);
  }

  @Test
  void startAndClose_fromManyThreadsAtOnce_areSafe() throws Exception {
    EngramBridge bridge = t.handlerExecutor(null).builder(TestBridge.config().build()).build();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        boolean closer = i >= 4;
        done.add(callers.submit(() -> {
          go.await();
          if (closer) {
            bridge.close();
          } else {
            try {
              bridge.start();
            } catch (IllegalStateException closedFirst) {
              // A start that loses the race to a close is refused: that is the contract.
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(5, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }

    assertThat(bridge.state()).isEqualTo(BridgeState.STOPPED);
    assertThat(t.transport.streamCount()).isAtMost(1);
    assertThat(t.transport.isClosed()).isTrue();
    await().atMost(Duration.ofSeconds(2)).until(() -> BridgeThreads.alive().isEmpty());
  }

  @Test
  void blockedHandler_otherHandlersKeepReceiving_closeReturnsInTime_andNoBridgeThreadSurvives() {
    RecordingHandler blocked = new RecordingHandler().behaviour(removal -> awaitRelease());
    RecordingHandler healthy = new RecordingHandler();
    EngramBridge bridge = withGrace(blocked, healthy);
    bridge.start();

    for (int i = 0; i < 50; i++) {
      t.stream().emitRemoval(String.valueOf(i), "p" + i);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> healthy.count() == 50);
    assertThat(blocked.count()).isEqualTo(1);
    assertThat(BridgeThreads.alive()).isNotEmpty();

    Stopwatch closing = Stopwatch.createStarted();
    bridge.close();

    assertThat(closing.elapsed()).isLessThan(GRACE.plus(SLACK));
    assertThat(bridge.state()).isEqualTo(BridgeState.STOPPED);
    await().atMost(Duration.ofSeconds(1)).until(() -> BridgeThreads.alive().isEmpty());
  }

  @Test
  void close_whileAHandlerBlocksInARun_dropsTheRestOfTheRun_andNeverCallsItForThem() {
    RecordingHandler blocked = new RecordingHandler().behaviour(removal -> awaitRelease());
    EngramBridge bridge = withGrace(blocked);
    bridge.start();
    List<ServerEvent> run = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      run.add(ServerEvent.of(String.valueOf(i), 1, "p" + i, 0, "", Map.of()));
    }
    // One run: the handler's thread takes all twenty at once and blocks in the first.
    t.stream().emitRun(run);
    await().atMost(Duration.ofSeconds(5)).until(() -> blocked.count() == 1);

    Stopwatch closing = Stopwatch.createStarted();
    bridge.close();
    release.countDown();

    assertThat(closing.elapsed()).isLessThan(GRACE.plus(SLACK));
    await().atMost(Duration.ofSeconds(1)).until(() -> BridgeThreads.alive().isEmpty());
    assertThat(blocked.projectIds()).containsExactly("p0");
  }

  @Test
  void handlerIgnoringInterrupts_isAbandoned_andCloseStillReturnsInTime() {
    AtomicBoolean running = new AtomicBoolean();
    RecordingHandler stubborn = new RecordingHandler().behaviour(removal -> {
      running.set(true);
      while (true) {
        try {
          release.await();
          running.set(false);
          return;
        } catch (InterruptedException ignored) {
          // Deliberately deaf to interruption, as some handlers are.
        }
      }
    });
    EngramBridge bridge = withGrace(stubborn);
    bridge.start();
    t.stream().emitRemoval("1", "p1");
    await().atMost(Duration.ofSeconds(5)).until(running::get);

    Stopwatch closing = Stopwatch.createStarted();
    bridge.close();

    assertThat(closing.elapsed()).isLessThan(GRACE.plus(SLACK));
    assertThat(QuietLogs.linesWith("WARN", "abandoned", "project_id=p1")).hasSize(1);
    release.countDown();
    await().atMost(Duration.ofSeconds(2)).until(() -> BridgeThreads.alive().isEmpty());
  }

  @Test
  void ownedThreads_areNamedAndDaemon() {
    List<Thread> handlerThreads = new ArrayList<>();
    EngramBridge bridge = EngramBridge.builder()
        .config(TestBridge.config().build())
        .transport(t.transport)
        .discoverServices(false)
        .addHandler(removal -> {
          synchronized (handlerThreads) {
            handlerThreads.add(Thread.currentThread());
          }
        })
        .build();
    try {
      bridge.start();
      t.stream().emitRemoval("1", "p1");
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        synchronized (handlerThreads) {
          return !handlerThreads.isEmpty();
        }
      });
      Thread handlerThread;
      synchronized (handlerThreads) {
        handlerThread = handlerThreads.get(0);
      }
      assertThat(handlerThread.getName()).startsWith("engram-bridge-handler-");
      assertThat(handlerThread.isDaemon()).isTrue();
      assertThat(BridgeThreads.alive()).contains("engram-bridge-scheduler-0");
    } finally {
      bridge.close();
    }
    await().atMost(Duration.ofSeconds(1)).until(() -> BridgeThreads.alive().isEmpty());
  }

  @Test
  void listenerThatThrows_neverBreaksTheBridge_andIsWarnedAboutOnce() {
    BridgeListener broken = new BridgeListener() {
      @Override
      public void eventReceived(dev.engram.bridge.api.transport.ServerEvent event) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void removalAccepted(ProjectRemoval removal) {
        throw new IllegalStateException("listener bug");
      }
    };
    EngramBridge bridge = t.builder(TestBridge.config().build()).addListener(broken).build();
    bridge.start();

    t.stream().emitRemoval("1", "p1");
    t.stream().emitRemoval("2", "p2");

    assertThat(t.handler.projectIds()).containsExactly("p1", "p2").inOrder();
    assertThat(t.listener.accepted()).hasSize(2);
    assertThat(QuietLogs.linesWith("WARN", "listener threw")).hasSize(1);
  }

  @Test
  void serverUrl_withoutExplicitTransport_usesTheProviderForItsScheme_withTheSettings() {
    EngramBridge bridge = EngramBridge.builder()
        .config(BridgeConfig.builder()
            .serverUrl("memory://box")
            .token(AccessToken.of("s3cret-token"))
            .trustedCertificates(Path.of("ca.pem"))
            .keepAliveTime(Duration.ofMinutes(6))
            .build())
        .discoverServices(false)
        .scheduler(t.clock.scheduler())
        .handlerExecutor(Runnable::run)
        .build();

    TransportSettings settings = MemoryTransportProvider.lastSettings();
    assertThat(settings.url().scheme()).isEqualTo("memory");
    assertThat(settings.url().host()).isEqualTo("box");
    assertThat(settings.token()).hasValue(AccessToken.of("s3cret-token"));
    assertThat(settings.trustedCertificates()).hasValue(Path.of("ca.pem"));
    assertThat(settings.keepAliveTime()).hasValue(Duration.ofMinutes(6));

    FakeTransport transport = MemoryTransportProvider.lastTransport();
    bridge.start();
    assertThat(transport.streamCount()).isEqualTo(1);
    bridge.close();
    assertThat(transport.isClosed()).isTrue();
    assertThat(QuietLogs.lines().toString()).doesNotContain("s3cret-token");
  }

  @Test
  void serverUrl_withAnUnsupportedScheme_failsAtBuild_namingTheSchemesThatWork() {
    BridgeConfig config = BridgeConfig.builder().serverUrl("ftp://files.example.com").build();

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EngramBridge.builder().config(config).discoverServices(false).build());

    assertThat(e).hasMessageThat().contains("the URL scheme ftp");
    // The test classpath has one provider, for memory:// only.
    assertThat(e).hasMessageThat().contains("supported here: memory");
    assertThat(e).hasMessageThat().contains("Check the setting");
  }

  @Test
  void builder_optionGivenTwice_isRefused() {
    EngramBridge.Builder builder = EngramBridge.builder().transport(t.transport);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> builder.transport(t.transport));
    assertThat(e).hasMessageThat().contains("transport was already set");
  }

  @Test
  void builder_addOptions_mayBeRepeated() {
    EngramBridge bridge = t.bare(TestBridge.config().build())
        .addHandler(t.handler)
        .addHandler(new RecordingHandler())
        .addTracker(t.tracker)
        .addTracker(t.tracker)
        .build();

    assertThat(bridge.handlers()).hasSize(2);
    assertThat(bridge.trackers()).hasSize(2);
  }

  @Test
  void toString_showsStateAndServerButNoSecrets() {
    EngramBridge bridge = t.builder(BridgeConfig.builder()
            .serverUrl("https://user:pw@engram.example.com")
            .token(AccessToken.of("s3cret"))
            .build())
        .build();

    assertThat(bridge.toString()).contains("state=NEW");
    assertThat(bridge.toString()).contains("https://engram.example.com");
    assertThat(bridge.toString()).doesNotContain("pw");
    assertThat(bridge.toString()).doesNotContain("s3cret");
  }

  /** A bridge over the fake transport with the short grace period and these handlers. */
  private EngramBridge withGrace(ProjectRemovalAware... handlers) {
    EngramBridge.Builder builder = EngramBridge.builder()
        .config(TestBridge.config().closeGracePeriod(GRACE).build())
        .transport(t.transport)
        .discoverServices(false);
    for (ProjectRemovalAware handler : handlers) {
      builder.addHandler(handler);
    }
    return builder.build();
  }

  private void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while blocked", e);
    }
  }
}
