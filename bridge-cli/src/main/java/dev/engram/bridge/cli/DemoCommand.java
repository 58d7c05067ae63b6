package dev.engram.bridge.cli;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.proto.v1.ProjectEvent;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.FakeProjectTracker;
import dev.engram.bridge.testkit.RecordingRemovalHandler;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;

/**
 * Walks through what the bridge promises, against the testkit's fake server on 127.0.0.1: a
 * removal on the stream, a duplicate suppressed, a removal made while the stream is down and
 * caught by the reconciliation after reconnecting, a throwing handler isolated and retried, and
 * a clean stop.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Runs the bridge against an embedded fake server and narrates what happens.")
final class DemoCommand implements Callable<Integer> {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(8);
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Set<String> PROJECTS = Set.of("alpha", "beta", "gamma", "delta");

  private final Main.Console console;

  DemoCommand(Main.Console console) {
    this.console = console;
  }

  @Override
  public Integer call() {
    PrintStream out = console.out();
    DemoRun run = new DemoRun(out);
    try {
      run.play();
    } catch (DemoFailure e) {
      out.println("demo failed: " + e.getMessage());
      return 1;
    } finally {
      run.close();
    }
    return 0;
  }

  /** One run of the demo: the server, the bridge, and what they did. */
  private static final class DemoRun implements AutoCloseable {
    private final PrintStream out;
    private final FakeEngramServer server = FakeEngramServer.onLoopback();
    private final FakeProjectTracker tracker = new FakeProjectTracker();
    private final RecordingRemovalHandler cache = new RecordingRemovalHandler();
    private final RecordingRemovalHandler audit = new RecordingRemovalHandler();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger handlerFailures = new AtomicInteger();
    private final AtomicReference<BridgeState> state = new AtomicReference<>(BridgeState.NEW);
    private EngramBridge bridge;
    private ProjectEvent alphaEvent;
    private int step;

    DemoRun(PrintStream out) {
      this.out = out;
    }

    void play() {
      setUp();
      removalOnTheStream();
      duplicateSuppressed();
      removalWhileDisconnected();
      throwingHandlerIsolated();
      cleanStop();
      summary();
    }

    private void setUp() {
      server.start();
      server.addProjects(PROJECTS);
      tracker.set(PROJECTS);
      BridgeConfig config = BridgeConfig.builder()
          .serverUrl(server.url())
          .heartbeatInterval(Duration.ofSeconds(2))
          .heartbeatJitter(Duration.ofMillis(100))
          .initialSyncDelayMax(Duration.ofMillis(200))
          .reconnectSyncDelayMax(Duration.ofMillis(300))
          .backoff(BackoffPolicy.builder()
              .initialDelay(Duration.ofMillis(200))
              .maxDelay(Duration.ofSeconds(1))
              .build())
          .closeGracePeriod(Duration.ofSeconds(2))
          .build();
      bridge = EngramBridge.builder()
          .config(config)
          .addHandler(narrating("cache-cleaner", cache))
          .addHandler(narrating("audit-log", audit))
          .addTracker(tracker)
          .addListener(new Counting())
          .build();
      out.println("engram-bridge demo: a fake engram server on " + server.url()
          + ", tracking " + String.join(", ", PROJECTS.stream().sorted().toList()));
      out.println("  two handlers: cache-cleaner and audit-log, each on its own queue");
      bridge.start();
      await("the event stream to open", () -> server.openStreamCount() == 1);
    }

    private void removalOnTheStream() {
      title("a removal arrives on the stream");
      alphaEvent = server.removeProject("alpha", "deleted by owner");
      await("alpha to reach both handlers", () -> cache.count() == 1 && audit.count() == 1);
    }

    private void duplicateSuppressed() {
      title("the same removal is reported again, by the stream and by reconciliation");
      int before = duplicates.get();
      server.emitRaw(alphaEvent);
      await("the repeated reports to be suppressed", () -> duplicates.get() >= before + 2);
      say("suppressed " + (duplicates.get() - before) + " repeated report(s) of alpha; "
          + "handlers still called once each");
    }

    private void removalWhileDisconnected() {
      title("the stream is cut, and beta is removed while it is down");
      server.stop();
      await("the bridge to notice", () -> state.get() == BridgeState.BACKING_OFF);
      server.removeProjectWithoutEvent("beta");
      say("server: beta removed, and no event will ever be sent for it");
      server.start();
      say("server: back on the same port");
      await("beta to be caught by the reconciliation after reconnecting",
          () -> cache.projectIds().contains("beta") && audit.projectIds().contains("beta"));
    }

    private void throwingHandlerIsolated() {
      title("a handler throws");
      audit.failNextCalls(1);
      server.removeProject("gamma", "archived");
      await("gamma to reach cache-cleaner", () -> cache.projectIds().contains("gamma"));
      await("audit-log's failure to be reported", () -> handlerFailures.get() == 1);
      say("audit-log threw on gamma; cache-cleaner was not affected");
      await("audit-log to be retried at the next reconciliation",
          () -> audit.projectIds().stream().filter("gamma"::equals).count() == 2);
      say("audit-log succeeded on its second attempt");
    }

    private void cleanStop() {
      title("a clean stop");
      long started = System.nanoTime();
      bridge.close();
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      long left = Thread.getAllStackTraces().keySet().stream()
          .filter(thread -> thread.isAlive() && thread.getName().startsWith("engram-bridge"))
          .count();
      say("closed in " + tookMs + " ms; state " + bridge.state() + "; bridge threads left: "
          + left);
    }

    private void summary() {
      Set<String> removed = Set.of("alpha", "beta", "gamma");
      long lost = removed.stream().filter(id -> !cache.projectIds().contains(id)).count();
      out.println();
      out.println("summary: delivered " + cache.count() + ", duplicates suppressed "
          + duplicates.get() + ", lost " + lost);
      if (lost != 0 || cache.count() != removed.size()) {
        throw new DemoFailure("expected each of " + removed + " delivered once, got "
            + cache.projectIds());
      }
    }

    private ProjectRemovalAware narrating(String name, RecordingRemovalHandler recorder) {
      return new NarratingHandler(name, recorder);
    }

    private void title(String what) {
      step++;
      out.println();
      out.println("step " + step + ": " + what);
    }

    private void say(String line) {
      out.println("  " + line);
    }

    private void await(String what, BooleanSupplier condition) {
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new DemoFailure("timed out after " + STEP_TIMEOUT.toSeconds()
              + " s waiting for " + what);
        }
        LockSupport.parkNanos(POLL.toNanos());
        if (Thread.interrupted()) {
          throw new DemoFailure("interrupted while waiting for " + what);
        }
      }
    }

    private static String describe(ProjectRemoval removal) {
      return removal.projectId() + " via " + removal.source().wireName()
          + removal.reason().map(reason -> " (" + reason + ")").orElse("");
    }

    @Override
    public void close() {
      if (bridge != null) {
        bridge.close();
      }
      server.close();
    }

    /** A demo handler: says what it got, then records it (and fails when told to). */
    private final class NarratingHandler implements ProjectRemovalAware {
      private final String name;
      private final RecordingRemovalHandler recorder;

      NarratingHandler(String name, RecordingRemovalHandler recorder) {
        this.name = name;
        this.recorder = recorder;
      }

      @Override
      public void onProjectRemoved(ProjectRemoval removal) {
        say(name + " <- " + describe(removal));
        recorder.onProjectRemoved(removal);
      }

      @Override
      public String toString() {
        return name;
      }
    }

    /** Counts what the story needs to tell, and follows the state. */
    private final class Counting implements BridgeListener {
      @Override
      public void stateChanged(BridgeState previous, BridgeState current) {
        state.set(current);
        if (current != BridgeState.NEW && current != BridgeState.STOPPED) {
          say("bridge: " + previous + " -> " + current);
        }
      }

      @Override
      public void duplicateSuppressed(ProjectRemoval removal) {
        duplicates.incrementAndGet();
      }

      @Override
      public void handlerFailed(
          ProjectRemovalAware handler,
          ProjectRemoval removal,
          Throwable error,
          int attempt,
          boolean givingUp) {
        handlerFailures.incrementAndGet();
      }
    }
  }

  /** A step did not happen as the demo expects. */
  private static final class DemoFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoFailure(String message) {
      super(message);
    }
  }
}
