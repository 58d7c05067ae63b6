package dev.engram.bridge.benchmarks;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.benchmarks.internal.BridgeProbe;
import dev.engram.bridge.benchmarks.internal.Signal;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeEngramServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * How long {@code close()} takes, and which bridge and transport threads are still alive when it
 * returns: with 10 idle handlers, with one of them blocked in a call that ends when interrupted,
 * and with one stuck in a call that ignores interrupts (it can only be abandoned). Default
 * settings (grace period 5 s), gRPC over 127.0.0.1 to the testkit's fake server.
 */
public final class ShutdownScenario {
  private static final int HANDLERS = 10;
  private static final Duration LIMIT = Duration.ofSeconds(30);

  /** How the first handler behaves when the bridge is closed. */
  public enum Variant {
    IDLE("10 idle handlers"),
    BLOCKED("one handler blocked, ends on interrupt"),
    STUCK("one handler stuck, ignores interrupts");

    private final String description;

    Variant(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  /** One close. */
  public record Round(Variant variant, long closeNanos, List<String> threadsLeft) {}

  private ShutdownScenario() {}

  public static Duration gracePeriod() {
    return BridgeConfig.defaults().closeGracePeriod();
  }

  public static List<Round> run(Variant variant, int rounds) throws Exception {
    List<Round> results = new ArrayList<>();
    try (FakeEngramServer server = FakeEngramServer.onLoopback().start()) {
      for (int round = 0; round < rounds; round++) {
        results.add(once(server, variant, round));
      }
    }
    return results;
  }

  private static Round once(FakeEngramServer server, Variant variant, int round)
      throws Exception {
    BridgeProbe probe = new BridgeProbe();
    Holding first = new Holding(variant);
    EngramBridge.Builder builder = EngramBridge.builder()
        .config(BridgeConfig.builder().serverUrl(server.url()).build())
        .random(new Random(round))
        .discoverServices(false)
        .addListener(probe)
        .addHandler(first);
    for (int i = 1; i < HANDLERS - 1; i++) {
      builder.addHandler(removal -> { });
    }
    EngramBridge bridge = builder.addHandler(probe).build();
    int streams = server.totalStreamsOpened();
    bridge.start();
    server.awaitTotalStreamsOpened(streams + 1, LIMIT);

    // Every handler has run once, so their threads exist; then the first one gets a call it
    // holds on to, if the variant says so.
    String warm = "warm-" + variant + "-" + round;
    server.removeProject(warm, "");
    probe.awaitDelivery(warm, LIMIT);
    if (variant != Variant.IDLE) {
      first.holdNext();
      String held = "held-" + variant + "-" + round;
      server.removeProject(held, "");
      first.awaitHolding();
      probe.awaitDelivery(held, LIMIT);
    }

    long started = System.nanoTime();
    bridge.close();
    long took = System.nanoTime() - started;
    List<String> left = threadsAlive();
    first.release();
    return new Round(variant, took, left);
  }

  /** Names of live bridge and transport threads. */
  static List<String> threadsAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("engram-bridge-") || name.startsWith("engram-grpc-"))
        .sorted()
        .collect(Collectors.toList());
  }

  /** A handler that, when told to, holds on to its next call. */
  private static final class Holding implements ProjectRemovalAware {
    private final Variant variant;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Signal changed = new Signal();
    private volatile boolean holdNext;
    private volatile boolean holding;
    private volatile Thread runner;

    Holding(Variant variant) {
      this.variant = variant;
    }

    void holdNext() {
      holdNext = true;
    }

    void awaitHolding() throws Exception {
      changed.await(() -> holding, LIMIT, "the handler to hold its call");
    }

    @Override
    public void onProjectRemoved(ProjectRemoval removal) {
      if (!holdNext) {
        return;
      }
      holdNext = false;
      runner = Thread.currentThread();
      holding = true;
      changed.changed();
      try {
        waitForRelease();
      } finally {
        holding = false;
      }
    }

    private void waitForRelease() {
      while (true) {
        try {
          released.await();
          return;
        } catch (InterruptedException e) {
          if (variant == Variant.BLOCKED) {
            Thread.currentThread().interrupt();
            return;
          }
          // STUCK: a handler that swallows interrupts, as badly written ones do.
        }
      }
    }

    /** Lets a stuck call finish, and waits for its thread to end. */
    void release() throws InterruptedException {
      released.countDown();
      Thread held = runner;
      if (held != null) {
        held.join(LIMIT.toMillis());
      }
    }
  }
}
