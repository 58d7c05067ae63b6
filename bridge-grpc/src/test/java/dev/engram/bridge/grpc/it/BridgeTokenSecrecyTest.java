package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.grpc.testing.LogCapture;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestCertificates;
import dev.engram.bridge.testkit.FakeEngramServer;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token and URL user-info reach no output of a whole bridge: every line logged in this JVM
 * (the core's, the transport's and the fake server's loggers at every level, gRPC's
 * java.util.logging), anything printed to stdout or stderr, and the message and {@code
 * toString()} of every failure and value the bridge hands out, across sessions that take every
 * path that logs: streams and syncs with the token, refusals, a server that echoes the token in
 * its status descriptions, TLS, plaintext to a remote host, bad settings.
 *
 * <p>Every other class in this package is also checked test by test ({@link NoSecretsInLogs}).
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeTokenSecrecyTest {
  @TempDir Path directory;

  private final List<String> texts = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();

  @Test
  void token_andUserInfo_appearInNoOutput_ofWholeBridgeSessions() throws Exception {
    int mark = LogCapture.mark();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      for (Session.Kind kind : Session.Kind.values()) {
        runWithToken(kind.server().token(Secrets.TOKEN).build(), null);
      }
      runWithToken(FakeEngramServer.builder().onLoopback()
              .tls(TestCertificates.server().keyManagers()).token(Secrets.TOKEN).build(),
          TestCertificates.server().certificatePem());
      runWithWrongToken();
      buildWithoutConnecting();
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }

    // The secrets were in play: the servers received the token on every kind of link.
    assertThat(authorizations).hasSize(3);
    assertThat(authorizations).containsExactly("Bearer " + Secrets.TOKEN,
        "Bearer " + Secrets.TOKEN, "Bearer " + Secrets.TOKEN);
    // The capture saw the bridge at work, at every level that matters.
    List<LogCapture.Line> bridgeLines = LogCapture.matching(mark,
        line -> line.logger().startsWith("dev.engram.bridge.core"));
    assertThat(bridgeLines.stream().map(LogCapture.Line::level).distinct().toList())
        .containsAtLeast("DEBUG", "INFO", "WARN");
    assertThat(LogCapture.matching(mark, line -> line.logger().startsWith("dev.engram.bridge.grpc")
        && line.message().contains("plaintext"))).isNotEmpty();
    assertThat(LogCapture.matching(mark, line -> line.source().equals("jul"))).isNotEmpty();
    // The echoed token did reach the bridge, masked, in what it logged and reported.
    assertThat(LogCapture.matching(mark, line -> line.text().contains("token <redacted> expired")))
        .isNotEmpty();
    assertThat(texts.stream().filter(text -> text.contains("token <redacted> is denied")))
        .isNotEmpty();

    // None of it shows a secret: this run's lines, every earlier test's, and what was printed.
    for (LogCapture.Line line : LogCapture.all()) {
      assertWithMessage("a secret in a %s line of %s", line.level(), line.logger())
          .that(Secrets.leakIn(line.text())).isFalse();
    }
    assertWithMessage("a secret printed to stdout or stderr")
        .that(Secrets.leakIn(printed.toString(StandardCharsets.UTF_8))).isFalse();
    assertThat(texts.size()).isAtLeast(10);
    for (int i = 0; i < texts.size(); i++) {
      assertWithMessage("a secret in message or toString() number %s: %s", i, texts.get(i))
          .that(Secrets.leakIn(texts.get(i))).isFalse();
    }
  }

  /** A session with the right token, a server that echoes it in failures, then a drop. */
  private void runWithToken(FakeEngramServer server, Path caFile) {
    try (Session session = Session.on(server)) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      String url = session.server.url().replace("://", "://" + Secrets.USER_INFO + "@");
      BridgeConfig.Builder config = QuickBridge.config(url).token(Secrets.token());
      if (caFile != null) {
        config.trustedCertificates(caFile);
      }
      // The server echoes the token in the description of a refused sync and of a refused
      // stream; the bridge logs and reports both.
      session.server.failNextSyncs(1,
          Status.PERMISSION_DENIED.withDescription("token " + Secrets.TOKEN + " is denied"));
      EngramBridge bridge = session.startBridge(config.build());
      await().atMost(WAIT).until(() -> !session.recorder.syncFailures().isEmpty());
      session.server.awaitOpenStreams(1, WAIT);
      session.server.removeProject("p1", "removed by its owner");
      session.handler.await(1, WAIT);
      authorizations.add(session.server.takeSyncRequest(WAIT).header("authorization")
          .orElse("none"));
      session.server.endStreams(
          Status.UNAUTHENTICATED.withDescription("token " + Secrets.TOKEN + " expired"));
      session.recorder.awaitState(BridgeState.AUTH_FAILED);

      texts.add(bridge.toString());
      session.recorder.closed().forEach(closed -> record(closed.failure()));
      session.recorder.syncFailures().forEach(this::record);
      session.handler.removals().forEach(removal -> texts.add(removal.toString()));
      session.server.streamOpens().forEach(open -> texts.add(open.toString()));
      texts.add(session.server.toString());
    }
  }

  private void runWithWrongToken() {
    try (Session session = Session.on(
        Session.Kind.LOOPBACK.server().token("the-servers-own-token").build())) {
      EngramBridge bridge = session.startBridge(config -> config.token(Secrets.token()));
      session.recorder.awaitState(BridgeState.AUTH_FAILED);
      texts.add(bridge.toString());
      session.recorder.closed().forEach(closed -> record(closed.failure()));
    }
  }

  /** Settings that log or fail at build time, before anything connects. */
  private void buildWithoutConnecting() throws Exception {
    // Plaintext to a host that is not loopback: the transport warns. Never started.
    try (EngramBridge remote = EngramBridge.builder().config(
        QuickBridge.config("http://" + Secrets.USER_INFO + "@engram.invalid")
            .token(Secrets.token()).build()).build()) {
      texts.add(remote.toString());
    }
    Path empty = Files.createFile(directory.resolve("empty.pem"));
    record(assertThrows(IllegalArgumentException.class, () -> EngramBridge.builder().config(
        QuickBridge.config("https://" + Secrets.USER_INFO + "@127.0.0.1:9")
            .token(Secrets.token()).trustedCertificates(empty).build()).build()));
    record(assertThrows(IllegalStateException.class, () -> EngramBridge.builder().config(
        QuickBridge.config("ftp://" + Secrets.USER_INFO + "@127.0.0.1:9")
            .token(Secrets.token()).build()).build()));
    record(assertThrows(IllegalArgumentException.class, () -> BridgeConfig.builder()
        .serverUrl("https://" + Secrets.USER_INFO + "@").token(Secrets.token()).build()));
    texts.add(QuickBridge.config("https://" + Secrets.USER_INFO + "@127.0.0.1")
        .token(AccessToken.of(Secrets.TOKEN)).build().toString());
  }

  private void record(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      texts.add(t.toString());
      texts.add(String.valueOf(t.getMessage()));
    }
  }

  private void record(TransportException failure) {
    record((Throwable) failure);
  }
}
