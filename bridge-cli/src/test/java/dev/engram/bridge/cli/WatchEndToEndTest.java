package dev.engram.bridge.cli;

import static com.google.common.truth.Truth.assertThat;
import static org.awaitility.Awaitility.await;

import dev.engram.bridge.testkit.FakeEngramServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code watch} against the testkit's server on 127.0.0.1, as an operator would run it. */
class WatchEndToEndTest {
  private static final String TOKEN = "tok-e2e-7f3a9";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeEngramServer server =
      FakeEngramServer.builder().onLoopback().token(TOKEN).build().start();

  @AfterEach
  void closeServer() {
    server.close();
  }

  @Test
  void json_printsOneLinePerRemoval_fromStreamAndHeartbeat_andStopsWithExit0() throws Exception {
    // p1 is not tracked, so only the stream can report it; p2 only the heartbeat can.
    server.addProjects("p1", "p2", "p3", "p4");
    CliRun cli = new CliRun(Map.of("ENGRAM_TOKEN", TOKEN));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.run(
        "watch", "--server-url", server.url(), "--track", "p2,p3", "--track", "p4",
        "--heartbeat-interval", "1s", "--json"));
    server.awaitOpenStreams(1, WAIT);

    server.removeProject("p1", "deleted by owner");
    server.removeProjectWithoutEvent("p2");
    await().atMost(WAIT).until(() -> lines(cli.out()).size() == 2);
    cli.console.stop().fire();

    assertThat(exit.get(5, TimeUnit.SECONDS)).isEqualTo(0);
    assertThat(lines(cli.out()))
        .containsExactly(
            "{\"projectId\":\"p1\",\"source\":\"stream\",\"eventId\":\"1\","
                + "\"reason\":\"deleted by owner\"}",
            "{\"projectId\":\"p2\",\"source\":\"heartbeat\",\"eventId\":null,\"reason\":null}");
    assertThat(server.authFailures()).isEqualTo(0);
    assertThat(cli.out() + cli.err()).doesNotContain(TOKEN);
  }

  @Test
  void readable_saysWhenItConnectsReconcilesAndRemoves() throws Exception {
    // p1 is not tracked, so only the stream can report it; p2 only the heartbeat can.
    server.addProjects("p1", "p2");
    CliRun cli = new CliRun(Map.of("ENGRAM_TOKEN", TOKEN, "ENGRAM_URL", server.url()));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.run(
        "watch", "--track", "p2", "--heartbeat-interval", "1s"));
    server.awaitOpenStreams(1, WAIT);

    server.removeProject("p1", "archived");
    server.removeProjectWithoutEvent("p2");
    await().atMost(WAIT).until(() -> cli.out().contains("reconciled 1 id(s): 1 removed")
        && cli.out().contains("removed p1"));
    cli.console.stop().fire();

    assertThat(exit.get(5, TimeUnit.SECONDS)).isEqualTo(0);
    assertThat(cli.out()).contains("watching " + server.url());
    assertThat(cli.out()).contains("removed p1 (via stream, event 1, reason: archived)");
    assertThat(cli.out()).contains("removed p2 (via heartbeat)");
    assertThat(cli.out()).contains("stopped");
    assertThat(cli.out() + cli.err()).doesNotContain(TOKEN);
  }

  @Test
  void unreachableServer_isNotAnError_itKeepsRetryingUntilStopped() throws Exception {
    server.stop();
    CliRun cli = new CliRun(Map.of());
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.run(
        "watch", "--server-url", server.url(), "--track", "p1"));

    await().atMost(WAIT).until(() -> cli.out().contains("backing off"));
    cli.console.stop().fire();

    assertThat(exit.get(5, TimeUnit.SECONDS)).isEqualTo(0);
  }

  @Test
  void sigterm_closesTheBridge_andTheProcessExits0(@TempDir Path dir) throws Exception {
    // p1 is not tracked, so only the stream can report it.
    server.addProjects("p1", "p2");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    ProcessBuilder builder = new ProcessBuilder(
        java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "watch", "--server-url", server.url(), "--track", "p2", "--json")
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().remove("ENGRAM_URL");
    builder.environment().remove("ENGRAM_SERVER_URL");
    builder.environment().put("ENGRAM_TOKEN", TOKEN);
    Process process = builder.start();
    try {
      server.awaitOpenStreams(1, WAIT);
      server.removeProject("p1", "gone");
      await().atMost(WAIT).until(() -> !Files.readString(stdout).isEmpty());

      process.destroy();

      assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(0);
      assertThat(Files.readAllLines(stdout))
          .containsExactly(
              "{\"projectId\":\"p1\",\"source\":\"stream\",\"eventId\":\"1\",\"reason\":\"gone\"}");
      assertThat(Files.readString(stderr)).contains("bridge closed");
      assertThat(Files.readString(stderr)).doesNotContain(TOKEN);
    } finally {
      process.destroyForcibly();
    }
  }

  private static List<String> lines(String output) {
    return output.isEmpty() ? List.of() : List.of(output.split("\n"));
  }
}
