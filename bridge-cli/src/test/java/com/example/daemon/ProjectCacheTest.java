package com.example.daemon;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeClock;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.FakeProjectTracker;
import dev.engram.bridge.testkit.RecordingRemovalHandler;
import dev.engram.bridge.testkit.junit.FakeEngramServerExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's testkit example, kept compiling and passing: a test as a downstream team would
 * write it, with the fake server, a recording handler and the fake clock.
 */
class ProjectCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension
  final FakeEngramServerExtension engram = FakeEngramServerExtension.inProcess();

  private final FakeClock clock = new FakeClock();
  private final RecordingRemovalHandler handler = new RecordingRemovalHandler();

  @Test
  void removedProject_reachesTheHandlerOnce_whicheverPathReportsIt() {
    FakeEngramServer server = engram.server();
    server.addProjects("alpha", "beta");
    EngramBridge bridge = engram.closeAfterTest(EngramBridge.builder()
        .config(BridgeConfig.builder().serverUrl(server.url()).build())
        .addHandler(handler)
        .addTracker(new FakeProjectTracker("alpha", "beta"))
        .ticker(clock.ticker())
        .wallClock(clock.wallClock())
        .scheduler(clock.scheduler())
        .build());
    bridge.start();
    server.awaitOpenStreams(1, WAIT);

    server.removeProject("alpha", "deleted by owner"); // announced on the stream
    List<ProjectRemoval> first = handler.await(1, WAIT);
    server.removeProjectWithoutEvent("beta"); // only reconciliation can find this one
    clock.advance(Duration.ofSeconds(5)); // the first reconciliation is due by then
    List<ProjectRemoval> both = handler.await(2, WAIT);

    assertThat(first.get(0).projectId()).isEqualTo("alpha");
    assertThat(first.get(0).source()).isEqualTo(RemovalSource.STREAM);
    assertThat(both.get(1).projectId()).isEqualTo("beta");
    assertThat(both.get(1).source()).isEqualTo(RemovalSource.HEARTBEAT);
    // The heartbeat reported alpha again too: suppressed, not delivered twice.
    handler.assertNoMoreThan(2, Duration.ofMillis(200));
  }
}
