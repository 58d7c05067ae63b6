package dev.engram.bridge.testkit.junit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.engram.bridge.proto.v1.EngramServiceGrpc;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.testkit.FakeEngramServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs small fixture test classes through the JUnit engine and checks what the extension did:
 * what it injected, what it closed and in which order, what failed, and what it left behind.
 */
class FakeEngramServerExtensionTest {
  private static final String GATE =
      "dev.engram.bridge.testkit.junit.FakeEngramServerExtensionTest#fixturesEnabled";
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** The fixtures run only when a test here runs them, never on their own. */
  private static volatile boolean fixturesEnabled;
  /** What the fixtures saw, for the tests to check. */
  private static final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private static final List<FakeEngramServer> servers =
      Collections.synchronizedList(new ArrayList<>());
  private static volatile CountDownLatch hang = new CountDownLatch(0);

  static boolean fixturesEnabled() {
    return fixturesEnabled;
  }

  @AfterEach
  void releaseHangingFixtures() {
    hang.countDown();
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    events.clear();
    servers.clear();
    fixturesEnabled = true;
    try {
      return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
    } finally {
      fixturesEnabled = false;
    }
  }

  private static List<Throwable> failures(EngineExecutionResults results) {
    return results.testEvents().failed().stream()
        .map(event -> event.getRequiredPayload(TestExecutionResult.class))
        .map(result -> result.getThrowable().orElseThrow())
        .collect(Collectors.toList());
  }

  @Test
  void registeredExtension_startsAServerPerTest_andClosesResourcesNewestFirst_serverLast() {
    EngineExecutionResults results = run(RegisteredFixture.class);

    assertThat(failures(results)).isEmpty();
    assertThat(results.testEvents().succeeded().count()).isEqualTo(2);
    assertThat(servers).hasSize(2);
    assertThat(servers.get(0)).isNotSameInstanceAs(servers.get(1));
    assertThat(servers.stream().noneMatch(FakeEngramServer::isRunning)).isTrue();
    assertThat(events)
        .containsExactly("closed second-registered", "closed first-registered, server running")
        .inOrder();
  }

  @Test
  void injectedField_isResetAfterEachTest_soTheNextTestGetsItsOwnServer() {
    EngineExecutionResults results = run(PerClassFieldFixture.class);

    assertThat(failures(results)).isEmpty();
    assertThat(results.testEvents().succeeded().count()).isEqualTo(2);
    assertThat(servers).hasSize(2);
    assertThat(servers.get(0)).isNotSameInstanceAs(servers.get(1));
  }

  @Test
  void extendWith_injectsAnInProcessServer_intoFieldsAndParameters() {
    EngineExecutionResults results = run(ExtendWithFixture.class);

    assertThat(failures(results)).isEmpty();
    assertThat(results.testEvents().succeeded().count()).isEqualTo(1);
    assertThat(servers).hasSize(1);
    assertThat(servers.get(0).url()).startsWith("inprocess://");
    assertThat(servers.get(0).isRunning()).isFalse();
  }

  @Test
  void constructorInjection_failsWithAMessageSayingWhereTheServerCanGo() {
    EngineExecutionResults results = run(ConstructorFixture.class);

    List<Throwable> failures = failures(results);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).hasMessageThat().contains("not into constructors");
  }

  @Test
  void aResourceThatThrowsOnClose_failsTheTest_andTheOthersAreStillClosed() {
    EngineExecutionResults results = run(ThrowingCloseFixture.class);

    List<Throwable> failures = failures(results);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).isInstanceOf(AssertionError.class);
    assertThat(failures.get(0)).hasMessageThat().contains("1 resource(s) failed to close");
    assertThat(failures.get(0)).hasMessageThat().contains("threw on close");
    assertThat(failures.get(0)).hasCauseThat().hasMessageThat().isEqualTo("disk on fire");
    assertThat(events).containsExactly("closed the resource registered first");
    assertThat(servers.get(0).isRunning()).isFalse();
  }

  @Test
  void aResourceThatHangsOnClose_failsTheTestWithinTheBudget_andTheServerIsStillClosed()
      throws Exception {
    hang = new CountDownLatch(1);

    EngineExecutionResults results = run(HangingCloseFixture.class);

    List<Throwable> failures = failures(results);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).hasMessageThat()
        .contains("took longer than its budget of PT0.3S");
    assertThat(failures.get(0)).hasMessageThat()
        .contains("(" + HangingResource.class.getName() + ") had not returned from close()");
    assertThat(servers.get(0).isRunning()).isFalse();
    hang.countDown();
    assertNoThreadLeft(FakeEngramServer.THREAD_NAME_PREFIX);
  }

  @Test
  void afterATestClassOnLoopback_noServerThreadAndNoOpenPortRemain() throws Exception {
    EngineExecutionResults results = run(LoopbackFixture.class);

    assertThat(failures(results)).isEmpty();
    assertThat(results.testEvents().succeeded().count()).isEqualTo(2);
    assertThat(servers).hasSize(2);
    for (FakeEngramServer server : servers) {
      assertPortCanBeBound(server.port());
    }
    assertNoThreadLeft(FakeEngramServer.THREAD_NAME_PREFIX);
  }

  @Test
  void serverAndCloseAfterTest_outsideATest_failClearly() {
    FakeEngramServerExtension extension = FakeEngramServerExtension.inProcess();

    IllegalStateException server =
        assertThrows(IllegalStateException.class, extension::server);
    IllegalArgumentException budget =
        assertThrows(IllegalArgumentException.class, () -> extension.withCloseBudget(Duration.ZERO));

    assertThat(server).hasMessageThat().contains("works only while a test runs");
    assertThat(budget).hasMessageThat().contains("close budget is PT0S");
  }

  private static void assertNoThreadLeft(String prefix) throws InterruptedException {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(prefix)) {
        // An executor reports termination just before its last thread returns.
        thread.join(TimeUnit.SECONDS.toMillis(2));
        assertThat(thread.isAlive()).isFalse();
      }
    }
  }

  private static void assertPortCanBeBound(int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }

  private static boolean hasLiveThreadStartingWith(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(thread -> thread.getName().startsWith(prefix) && thread.isAlive());
  }

  // ---- Fixtures: run only through run(...) ---------------------------------------------------

  @EnabledIf(GATE)
  static class RegisteredFixture {
    @RegisterExtension
    final FakeEngramServerExtension fake = FakeEngramServerExtension.inProcess();

    FakeEngramServer injected;

    @Test
    void first(FakeEngramServer parameter) {
      FakeEngramServer server = fake.server();
      servers.add(server);
      assertThat(server.isRunning()).isTrue();
      assertThat(parameter).isSameInstanceAs(server);
      assertThat(injected).isSameInstanceAs(server);
      fake.closeAfterTest(() -> events.add(
          "closed first-registered" + (server.isRunning() ? ", server running" : "")));
      AutoCloseable second = () -> events.add("closed second-registered");
      assertThat(fake.closeAfterTest(second)).isSameInstanceAs(second);
    }

    @Test
    void second() {
      servers.add(fake.server());
      assertThat(fake.server().isRunning()).isTrue();
    }
  }

  @EnabledIf(GATE)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class PerClassFieldFixture {
    @RegisterExtension
    final FakeEngramServerExtension fake = FakeEngramServerExtension.inProcess();

    private FakeEngramServer server;

    @Test
    void first() {
      assertThat(server).isSameInstanceAs(fake.server());
      servers.add(server);
    }

    @Test
    void second() {
      assertThat(server).isSameInstanceAs(fake.server());
      servers.add(server);
    }
  }

  @EnabledIf(GATE)
  @ExtendWith(FakeEngramServerExtension.class)
  static class ExtendWithFixture {
    private FakeEngramServer field;

    @BeforeEach
    void setUp(FakeEngramServer server) {
      assertThat(server).isSameInstanceAs(field);
      server.addProjects("p1");
    }

    @Test
    void test(FakeEngramServer server) {
      servers.add(server);
      assertThat(server).isSameInstanceAs(field);
      assertThat(server.isRunning()).isTrue();
      assertThat(server.liveProjects()).containsExactly("p1");
    }
  }

  @EnabledIf(GATE)
  @ExtendWith(FakeEngramServerExtension.class)
  static class ConstructorFixture {
    ConstructorFixture(FakeEngramServer server) {}

    @Test
    void test() {}
  }

  @EnabledIf(GATE)
  static class ThrowingCloseFixture {
    @RegisterExtension
    final FakeEngramServerExtension fake = FakeEngramServerExtension.inProcess();

    @Test
    void test() {
      servers.add(fake.server());
      fake.closeAfterTest(() -> events.add("closed the resource registered first"));
      fake.closeAfterTest(() -> {
        throw new IOException("disk on fire");
      });
    }
  }

  @EnabledIf(GATE)
  static class HangingCloseFixture {
    @RegisterExtension
    final FakeEngramServerExtension fake =
        FakeEngramServerExtension.inProcess().withCloseBudget(Duration.ofMillis(300));

    @Test
    void test() {
      servers.add(fake.server());
      fake.closeAfterTest(new HangingResource());
    }
  }

  static final class HangingResource implements AutoCloseable {
    @Override
    public void close() {
      try {
        hang.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while hanging on purpose", e);
      }
    }
  }

  @EnabledIf(GATE)
  static class LoopbackFixture {
    @RegisterExtension
    final FakeEngramServerExtension fake = FakeEngramServerExtension.onLoopback();

    @Test
    void syncs() {
      FakeEngramServer server = fake.server();
      servers.add(server);
      ManagedChannel channel = fake.closeAfterTest(new ClosingChannel(server.port())).channel;

      EngramServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
          .syncProjectState(SyncProjectStateRequest.newBuilder().setClientId("c").build());

      assertThat(hasLiveThreadStartingWith(server.name())).isTrue();
    }

    @Test
    void leavesAStreamOpen() {
      FakeEngramServer server = fake.server();
      servers.add(server);
      ManagedChannel channel = fake.closeAfterTest(new ClosingChannel(server.port())).channel;

      EngramServiceGrpc.newStub(channel).projectEvents(
          ProjectEventsRequest.newBuilder().setClientId("c").build(), new Ignore<>());
      server.awaitOpenStreams(1, WAIT);

      assertThat(hasLiveThreadStartingWith(server.name())).isTrue();
    }
  }

  /** A client channel, closed (and waited for) as a test resource. */
  static final class ClosingChannel implements AutoCloseable {
    final ManagedChannel channel;

    ClosingChannel(int port) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static final class Ignore<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
