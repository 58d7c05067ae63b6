package dev.engram.bridge.benchmarks;

import dev.engram.bridge.benchmarks.internal.BridgeProbe;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.FakeProjectTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Recovery after a server restart, with the bridge's default settings over gRPC on 127.0.0.1
 * against the testkit's fake server. In each round the server stops (ending the stream with
 * UNAVAILABLE), a tracked project is removed while it is down, and the server starts again on
 * the same port at once. Measured:
 *
 * <ul>
 *   <li><b>restart to stream</b>: from the server's start to the server accepting the bridge's
 *       new stream; with the <b>backoff</b> the bridge chose (from the stream's end to its next
 *       attempt) for comparison;
 *   <li><b>reconnect to delivery</b>: from the bridge's first stream attempt after the restart
 *       (its reconnect) to the handler being called for the project removed while the server
 *       was down.
 * </ul>
 *
 * <p>Three kinds of client: one that has seen events (it resumes; the server, like the real one,
 * keeps no history and refuses with OUT_OF_RANGE), the same against a server that replays, and a
 * quiet one that has never seen an event (a fresh stream, accepted only after the stable period).
 */
public final class RecoveryScenario {
  private static final Duration LIMIT = Duration.ofSeconds(40);
  private static final String REASON = "removed while the server was down";

  /** One round. */
  public record Round(
      String client,
      long backoffNanos,
      long restartToStreamNanos,
      long attemptToStreamNanos,
      long reconnectToDeliveryNanos) {}

  private RecoveryScenario() {}

  /**
   * A client that has seen events, so it asks to resume.
   *
   * @param replay whether the server can replay (the real one cannot)
   */
  public static List<Round> resuming(int rounds, boolean replay) throws Exception {
    String name = replay ? "resuming, server replays" : "resuming, server refuses (no replay)";
    try (Setup setup = new Setup(rounds, replay)) {
      setup.server.removeProject("warm-up", "first event");
      setup.probe.awaitEvents(1, LIMIT);
      List<Round> results = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        results.add(setup.round(name, round));
        // A message on the new stream is the evidence that resets the backoff for the next
        // round, and gives the bridge a newer resume id.
        int seen = setup.probe.events();
        setup.server.emitEvent(2, "created-" + round, "");
        setup.probe.awaitEvents(seen + 1, LIMIT);
      }
      return results;
    }
  }

  /** A client on a quiet server: it has never seen an event, so it has no resume id. */
  public static List<Round> quiet(int rounds) throws Exception {
    try (Setup setup = new Setup(rounds, false)) {
      List<Round> results = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        setup.settle();
        results.add(setup.round("quiet (no resume id)", round));
      }
      return results;
    }
  }

  /** A fake server on loopback and a default bridge tracking the projects of every round. */
  private static final class Setup implements AutoCloseable {
    final FakeEngramServer server = FakeEngramServer.onLoopback().start();
    final BridgeProbe probe = new BridgeProbe();
    final EngramBridge bridge;

    Setup(int rounds, boolean replay) throws Exception {
      server.setReplay(replay);
      FakeProjectTracker tracker = new FakeProjectTracker();
      for (int round = 0; round < rounds; round++) {
        tracker.add(projectOf(round));
      }
      server.addProjects(tracker.trackedProjectIds());
      bridge = EngramBridge.builder()
          .config(BridgeConfig.builder().serverUrl(server.url()).build())
          .random(new Random(11))
          .discoverServices(false)
          .addHandler(probe)
          .addTracker(tracker)
          .addListener(probe)
          .build();
      bridge.start();
      server.awaitOpenStreams(1, LIMIT);
    }

    /**
     * Waits until the stream is accepted (after the stable period: the backoff is reset) and the
     * reconciliation that follows a reconnect has run, so that it cannot find the next round's
     * removal early.
     */
    void settle() throws Exception {
      probe.awaitSettled(LIMIT);
    }

    Round round(String client, int round) throws Exception {
      String project = projectOf(round);
      int accepted = server.totalStreamsOpened();
      int ended = probe.failures();

      long stopAt = System.nanoTime();
      server.stop();
      server.removeProject(project, REASON);
      probe.awaitFailures(ended + 1, LIMIT);
      server.start();
      long startAt = System.nanoTime();
      server.awaitTotalStreamsOpened(accepted + 1, LIMIT);
      long openAt = System.nanoTime();
      long deliveredAt = probe.awaitDelivery(project, LIMIT);

      long failedAt = probe.firstFailureAfter(stopAt);
      long attemptAt = probe.firstAttemptAfter(failedAt);
      long reconnectAt = probe.firstAttemptAfter(startAt);
      long lastAttemptAt = lastAttemptBefore(openAt, attemptAt);
      return new Round(client, attemptAt - failedAt, openAt - startAt,
          openAt - Math.max(startAt, lastAttemptAt), deliveredAt - reconnectAt);
    }

    /** The stream attempt that the server accepted: the last one before it did. */
    private long lastAttemptBefore(long openAt, long from) {
      long last = from;
      for (long at = from; at >= 0 && at <= openAt; at = probe.firstAttemptAfter(at + 1)) {
        last = at;
      }
      return last;
    }

    @Override
    public void close() {
      bridge.close();
      server.close();
    }
  }

  private static String projectOf(int round) {
    return "recovery-" + round;
  }
}
