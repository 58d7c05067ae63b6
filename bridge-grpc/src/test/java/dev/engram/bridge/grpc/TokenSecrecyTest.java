package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.testing.Events;
import dev.engram.bridge.grpc.testing.LogCapture;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.OpenedStream;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestCertificates;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token and URL user-info never reach any output: every log line captured in this JVM so far
 * (every level of our loggers, third-party loggers from DEBUG, grpc's java.util.logging at every
 * level), anything printed to stdout or stderr, and the message and {@code toString()} of every
 * failure and value the transport hands out, across a run that exercises every path that logs.
 */
@ExtendWith(NoSecretsInLogs.class)
class TokenSecrecyTest {
  @TempDir Path directory;

  private final List<String> texts = new ArrayList<>();

  @Test
  void token_andUserInfo_appearInNoOutput_acrossEveryPath() throws Exception {
    int mark = LogCapture.mark();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
    List<String> authorizations = new ArrayList<>();
    System.setOut(capture);
    System.setErr(capture);
    try {
      for (TestEngramServer server : List.of(
          TestEngramServer.inProcess(), TestEngramServer.loopback())) {
        try (server) {
          authorizations.add(exerciseEveryPath(server));
        }
      }
      authorizations.add(exerciseTls());
      exerciseRefusals();
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }

    // The secrets were really in play, and the capture really saw the transport's lines.
    assertThat(authorizations).containsExactly(
        "Bearer " + Secrets.TOKEN, "Bearer " + Secrets.TOKEN, "Bearer " + Secrets.TOKEN);
    List<LogCapture.Line> ours = LogCapture.matching(mark,
        line -> line.logger().startsWith("dev.engram.bridge.grpc"));
    assertThat(ours.stream().map(LogCapture.Line::level).distinct().toList())
        .containsAtLeast("DEBUG", "WARN");
    assertThat(ours.stream().anyMatch(line -> line.message().contains("plaintext"))).isTrue();

    // None of it shows a secret: this run's lines, every earlier test's, and what was printed.
    for (LogCapture.Line line : LogCapture.all()) {
      assertWithMessage("a secret in a %s line of %s", line.level(), line.logger())
          .that(Secrets.leakIn(line.text())).isFalse();
    }
    assertWithMessage("a secret printed to stdout or stderr")
        .that(Secrets.leakIn(printed.toString(StandardCharsets.UTF_8))).isFalse();
    assertThat(texts).isNotEmpty();
    for (int i = 0; i < texts.size(); i++) {
      assertWithMessage("a secret in message or toString() number %s", i)
          .that(Secrets.leakIn(texts.get(i))).isFalse();
    }
  }

  /** Streams, syncs and failures with the token; returns the header the server saw. */
  private String exerciseEveryPath(TestEngramServer server) throws Exception {
    String url = server.url().replace("://", "://" + Secrets.USER_INFO + "@");
    TransportSettings settings = TransportSettings.builder(ServerUrl.parse(url))
        .token(Secrets.token()).build();
    GrpcTransport transport = GrpcTransport.create(settings);
    try {
      texts.add(transport.toString());
      texts.add(settings.toString());

      RecordingObserver delivered = new RecordingObserver();
      EventStream stream = transport.openEventStream("c", "7", delivered);
      delivered.request(stream, 2);
      OpenedStream opened = server.awaitStream();
      opened.send(Events.removal("8", "p"));
      texts.add(delivered.awaitEvent().toString());
      texts.add(stream.toString());
      opened.fail(Status.UNAUTHENTICATED.withDescription("bad token " + Secrets.TOKEN));
      record(delivered.awaitFailure());

      RecordingObserver throwing = new RecordingObserver();
      throwing.onEachEvent(() -> {
        throw new IllegalStateException("engine failed");
      });
      EventStream second = transport.openEventStream("c", "", throwing);
      throwing.request(second, 1);
      server.awaitStream().send(Events.removal("9", "q"));
      record(throwing.awaitFailure());

      texts.add(transport.sync(SyncRequest.of("c", List.of("gone-1")), Duration.ofSeconds(5))
          .get(10, TimeUnit.SECONDS).toString());
      server.failSyncsWith(Status.PERMISSION_DENIED.withDescription(Secrets.TOKEN + " denied"));
      record(syncFailure(transport.sync(SyncRequest.of("c", List.of()), Duration.ofSeconds(5))));
      server.stallSyncs();
      record(syncFailure(transport.sync(SyncRequest.of("c", List.of()), Duration.ofMillis(50))));

      CompletableFuture<?> pending =
          transport.sync(SyncRequest.of("c", List.of()), Duration.ofMinutes(1));
      transport.openEventStream("c", "", new RecordingObserver());
      server.awaitStream();
      transport.close();
      record(syncFailure(pending));
    } finally {
      transport.close();
    }
    // Plaintext to a remote host, to make the transport warn; nothing connects.
    try (GrpcTransport remote = GrpcTransport.create(TransportSettings.builder(
        ServerUrl.parse("http://" + Secrets.USER_INFO + "@engram.invalid"))
        .token(Secrets.token()).build())) {
      texts.add(remote.toString());
    }
    return server.streams().get(0).authorization();
  }

  private String exerciseTls() throws Exception {
    TestCertificates certificates = TestCertificates.server();
    try (TestEngramServer server = TestEngramServer.loopbackTls(certificates.keyManagers())) {
      String url = server.url().replace("://", "://" + Secrets.USER_INFO + "@");
      try (GrpcTransport trusted = GrpcTransport.create(
              TransportSettings.builder(ServerUrl.parse(url)).token(Secrets.token())
                  .trustedCertificates(certificates.certificatePem()).build());
          GrpcTransport untrusted = GrpcTransport.create(
              TransportSettings.builder(ServerUrl.parse(url)).token(Secrets.token()).build())) {
        trusted.sync(SyncRequest.of("c", List.of()), Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
        record(syncFailure(untrusted.sync(SyncRequest.of("c", List.of()),
            Duration.ofSeconds(5))));
      }
      return server.awaitSync().authorization();
    }
  }

  private void exerciseRefusals() throws Exception {
    Path empty = Files.createFile(directory.resolve("empty.pem"));
    for (Path caFile : List.of(empty, directory.resolve("missing.pem"))) {
      record(assertThrows(IllegalArgumentException.class, () -> GrpcTransport.create(
          TransportSettings.builder(
              ServerUrl.parse("https://" + Secrets.USER_INFO + "@127.0.0.1:9"))
              .token(Secrets.token()).trustedCertificates(caFile).build())));
    }
    record(assertThrows(IllegalArgumentException.class, () -> new GrpcTransportProvider().create(
        TransportSettings.builder(ServerUrl.parse("ftp://" + Secrets.USER_INFO + "@h"))
            .token(Secrets.token()).build())));
    record(assertThrows(IllegalArgumentException.class,
        () -> ServerUrl.parse("http://" + Secrets.USER_INFO + "@")));
  }

  private static TransportException syncFailure(CompletableFuture<?> future) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    return (TransportException) e.getCause();
  }

  private void record(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      texts.add(t.toString());
      texts.add(String.valueOf(t.getMessage()));
    }
  }
}
