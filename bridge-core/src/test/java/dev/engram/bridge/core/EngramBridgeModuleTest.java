package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;

import com.google.common.base.Ticker;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.core.testing.DiscoveredHandlers;
import dev.engram.bridge.core.testing.RecordingHandler;
import dev.engram.bridge.core.testing.TestBridge;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class EngramBridgeModuleTest {
  private static final BridgeConfig CONFIG = BridgeConfig.builder()
      .heartbeatInterval(Duration.ofSeconds(30))
      .syncChunkSize(500)
      .build();

  @Test
  void guiceAndBuilder_assembleEquivalentBridges() {
    TestBridge viaGuice = new TestBridge();
    TestBridge viaBuilder = new TestBridge();
    RecordingHandler second = new RecordingHandler();
    RecordingHandler secondToo = new RecordingHandler();

    EngramBridge fromGuice = Guice.createInjector(
            EngramBridgeModule.withoutServiceDiscovery(), bindingsOf(viaGuice, second))
        .getInstance(EngramBridge.class);
    EngramBridge fromBuilder = viaBuilder.builder(CONFIG).addHandler(secondToo).build();

    assertThat(fromGuice.config()).isEqualTo(fromBuilder.config());
    assertThat(fromGuice.backoff()).isEqualTo(fromBuilder.backoff());
    assertThat(fromGuice.handlers()).containsExactly(viaGuice.handler, second).inOrder();
    assertThat(fromBuilder.handlers()).containsExactly(viaBuilder.handler, secondToo).inOrder();
    assertThat(fromGuice.trackers()).containsExactly(viaGuice.tracker);
    assertThat(fromGuice.transport()).hasValue(viaGuice.transport);

    // Same inputs, same behaviour.
    for (TestBridge t : List.of(viaGuice, viaBuilder)) {
      t.tracker.add("p1", "p2");
      t.transport.serverRemoved("p2");
    }
    fromGuice.start();
    fromBuilder.start();
    viaGuice.stream().emitRemoval("1", "p1");
    viaBuilder.stream().emitRemoval("1", "p1");
    viaGuice.clock.advance(Duration.ofMinutes(2));
    viaBuilder.clock.advance(Duration.ofMinutes(2));

    assertThat(viaGuice.handler.projectIds()).containsExactly("p1", "p2").inOrder();
    assertThat(viaGuice.handler.calls()).isEqualTo(viaBuilder.handler.calls());
    assertThat(second.calls()).isEqualTo(secondToo.calls());
    assertThat(viaGuice.listener.states()).isEqualTo(viaBuilder.listener.states());
    assertThat(viaGuice.transport.syncCalls().size())
        .isEqualTo(viaBuilder.transport.syncCalls().size());
    assertThat(fromGuice.clientId()).isEqualTo(fromBuilder.clientId());
    fromGuice.close();
    fromBuilder.close();
    assertThat(viaGuice.clock.pendingTaskCount()).isEqualTo(0);
    assertThat(viaGuice.clock.scheduler().isShutdown()).isFalse();
    assertThat(viaGuice.transport.isClosed()).isTrue();
  }

  @Test
  void bridge_isASingleton() {
    Injector injector = Guice.createInjector(
        EngramBridgeModule.withoutServiceDiscovery(), bindingsOf(new TestBridge(), null));

    assertThat(injector.getInstance(EngramBridge.class))
        .isSameInstanceAs(injector.getInstance(EngramBridge.class));
  }

  @Test
  void defaults_needOnlyAConfig_andWithoutAServerTheBridgeIsDisabled() {
    EngramBridge bridge = Guice.createInjector(
            EngramBridgeModule.withoutServiceDiscovery(),
            new AbstractModule() {
              @Override
              protected void configure() {
                OptionalBinder.newOptionalBinder(binder(), BridgeConfig.class)
                    .setBinding().toInstance(BridgeConfig.defaults());
              }
            })
        .getInstance(EngramBridge.class);

    assertThat(bridge.backoff()).isEqualTo(BackoffPolicy.defaults());
    assertThat(bridge.handlers()).isEmpty();
    bridge.start();
    assertThat(bridge.state()).isEqualTo(BridgeState.DISABLED);
    bridge.close();
  }

  @Test
  void backoff_followsTheConfig_unlessBoundExplicitly() {
    BackoffPolicy configured = BackoffPolicy.builder().jitter(0).build();
    BackoffPolicy bound = BackoffPolicy.original();
    AbstractModule config = new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), BridgeConfig.class)
            .setBinding().toInstance(BridgeConfig.builder().backoff(configured).build());
      }
    };

    EngramBridge followsConfig = Guice.createInjector(
        EngramBridgeModule.withoutServiceDiscovery(), config).getInstance(EngramBridge.class);
    EngramBridge overridden = Guice.createInjector(
        EngramBridgeModule.withoutServiceDiscovery(), config, new AbstractModule() {
          @Override
          protected void configure() {
            OptionalBinder.newOptionalBinder(binder(), BackoffPolicy.class)
                .setBinding().toInstance(bound);
          }
        }).getInstance(EngramBridge.class);

    assertThat(followsConfig.backoff()).isEqualTo(configured);
    assertThat(overridden.backoff()).isEqualTo(bound);
  }

  @Test
  void discoveredHandlers_comeAfterBoundOnes_byPriorityThenClassName_inBothPaths() {
    TestBridge t = new TestBridge();
    Injector injector = Guice.createInjector(new EngramBridgeModule(), bindingsOf(t, null));
    EngramBridge fromGuice = injector.getInstance(EngramBridge.class);
    EngramBridge fromBuilder = EngramBridge.builder()
        .config(CONFIG)
        .transport(t.transport)
        .addHandler(t.handler)
        .build();

    for (EngramBridge bridge : List.of(fromGuice, fromBuilder)) {
      assertThat(classNames(bridge.handlers())).containsExactly(
          RecordingHandler.class.getName(),
          DiscoveredHandlers.Urgent.class.getName(),
          DiscoveredHandlers.Alpha.class.getName(),
          DiscoveredHandlers.Beta.class.getName()).inOrder();
    }
    // Bound and discovered handlers meet in the one multibinding.
    Set<ProjectRemovalAware> all =
        injector.getInstance(Key.get(new TypeLiteral<Set<ProjectRemovalAware>>() {}));
    assertThat(all).hasSize(4);
  }

  @Test
  void withoutServiceDiscovery_onlyBoundHandlersAreUsed() {
    TestBridge t = new TestBridge();
    EngramBridge bridge = Guice.createInjector(
            EngramBridgeModule.withoutServiceDiscovery(), bindingsOf(t, null))
        .getInstance(EngramBridge.class);

    assertThat(bridge.handlers()).containsExactly(t.handler);
  }

  @Test
  void installingTheModuleTwice_bindsEverythingOnce() {
    TestBridge t = new TestBridge();
    EngramBridge bridge = Guice.createInjector(
            EngramBridgeModule.withoutServiceDiscovery(),
            EngramBridgeModule.withoutServiceDiscovery(),
            bindingsOf(t, null))
        .getInstance(EngramBridge.class);

    assertThat(bridge.handlers()).containsExactly(t.handler);
  }

  /** What a Guice application binds to get the same bridge as {@link TestBridge#builder}. */
  private static AbstractModule bindingsOf(TestBridge t, ProjectRemovalAware extraHandler) {
    return new AbstractModule() {
      @Override
      protected void configure() {
        EngramBridgeModule.handlers(binder()).addBinding().toInstance(t.handler);
        if (extraHandler != null) {
          EngramBridgeModule.handlers(binder()).addBinding().toInstance(extraHandler);
        }
        EngramBridgeModule.trackers(binder()).addBinding().toInstance(t.tracker);
        EngramBridgeModule.listeners(binder()).addBinding().toInstance(t.listener);
        OptionalBinder.newOptionalBinder(binder(), BridgeConfig.class)
            .setBinding().toInstance(CONFIG);
        OptionalBinder.newOptionalBinder(binder(), Transport.class)
            .setBinding().toInstance(t.transport);
        bridgeKey(Ticker.class).setBinding().toInstance(t.clock.ticker());
        bridgeKey(Clock.class).setBinding().toInstance(t.clock.wallClock());
        bridgeKey(ScheduledExecutorService.class).setBinding().toInstance(t.clock.scheduler());
        bridgeKey(Executor.class).setBinding().toInstance(MoreExecutors.directExecutor());
        bridgeKey(Random.class).setBinding().toInstance(new Random(7));
      }

      private <T> OptionalBinder<T> bridgeKey(Class<T> type) {
        return OptionalBinder.newOptionalBinder(binder(), Key.get(type, ForEngramBridge.class));
      }
    };
  }

  private static List<String> classNames(List<?> objects) {
    List<String> names = new ArrayList<>();
    for (Object o : objects) {
      names.add(o.getClass().getName());
    }
    return names;
  }
}
