package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.RemovalSource;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestCertificates;
import dev.engram.bridge.testkit.FakeEngramServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS through the whole bridge, against the fake server on 127.0.0.1 with a certificate made
 * for this run, and every CA file that cannot work.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeTlsTest {
  @TempDir static Path directory;

  private static TestCertificates serverCertificate;
  private static TestCertificates otherCertificate;

  /** CA files that cannot work, each a start-up error. */
  enum BadCaFile {
    MISSING("does not exist") {
      @Override
      Path create(Path directory) {
        return directory.resolve("missing-ca.pem");
      }
    },
    DIRECTORY("is a directory") {
      @Override
      Path create(Path directory) throws Exception {
        return Files.createDirectories(directory.resolve("a-directory.pem"));
      }
    },
    EMPTY("holds no certificate") {
      @Override
      Path create(Path directory) throws Exception {
        return Files.write(directory.resolve("empty.pem"), new byte[0]);
      }
    },
    GARBAGE("does not hold a certificate that can be parsed") {
      @Override
      Path create(Path directory) throws Exception {
        return Files.writeString(directory.resolve("garbage.pem"),
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
            StandardCharsets.US_ASCII);
      }
    };

    final String problem;

    BadCaFile(String problem) {
      this.problem = problem;
    }

    abstract Path create(Path directory) throws Exception;
  }

  @BeforeAll
  static void makeCertificates() throws Exception {
    serverCertificate = TestCertificates.server();
    otherCertificate = TestCertificates.other();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https", "grpcs"})
  void tls_withTheServersCaFile_deliversRemovals_andSendsTheToken(String scheme)
      throws Exception {
    try (Session session = Session.on(tlsServer().token(Secrets.TOKEN).build())) {
      session.server.addProjects("p1", "p2");
      session.tracker.add("p1", "p2");
      String url = scheme + "://127.0.0.1:" + session.server.port();
      session.startBridge(QuickBridge.config(url)
          .trustedCertificates(serverCertificate.certificatePem())
          .token(Secrets.token())
          .build());
      session.awaitStreamAndFirstSync();

      session.server.removeProject("p1", "over tls");

      assertThat(session.handler.await(1, WAIT).get(0).source())
          .isEqualTo(RemovalSource.STREAM);
      assertThat(session.server.takeStreamOpen(WAIT).header("authorization"))
          .hasValue("Bearer " + Secrets.TOKEN);
      assertThat(session.server.takeSyncRequest(WAIT).header("authorization"))
          .hasValue("Bearer " + Secrets.TOKEN);
      assertThat(session.recorder.syncFailures()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(BadCaFile.class)
  void badCaFile_failsAtBuild_namingTheFileAndTheFix(BadCaFile bad) throws Exception {
    Path caFile = bad.create(directory);
    Set<String> threadsBefore = LiveThreads.names();
    BridgeConfig config = QuickBridge.config("https://" + Secrets.USER_INFO + "@127.0.0.1:9")
        .trustedCertificates(caFile)
        .token(Secrets.token())
        .build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngramBridge.builder().config(config).build());

    assertThat(e).hasMessageThat().contains(caFile.toString());
    assertThat(e).hasMessageThat().contains(bad.problem);
    assertThat(e).hasMessageThat().contains("expected a readable PEM file");
    assertThat(e).hasMessageThat().contains("ENGRAM_TLS_CA");
    assertThat(Secrets.leakIn(e.toString())).isFalse();
    // Refused before anything ran: no bridge to retry with, no thread left from the attempt.
    assertThat(threadsBefore).containsAtLeastElementsIn(LiveThreads.names());
  }

  @Test
  void badCaFile_fromTheEnvironment_failsAtBuild_too() throws Exception {
    Path empty = BadCaFile.EMPTY.create(
        Files.createDirectories(directory.resolve("environment")));
    BridgeConfig config = BridgeConfig.fromEnvironment(Map.of(
        BridgeConfig.ENV_URL, "https://127.0.0.1:9",
        BridgeConfig.ENV_TLS_CA, empty.toString()));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngramBridge.builder().config(config).build());

    assertThat(e).hasMessageThat().contains(empty.toString());
    assertThat(e).hasMessageThat().contains("holds no certificate");
  }

  @Test
  void tls_withACaThatDidNotSignTheServer_isRetried_asTheHandshakeFails() throws Exception {
    try (Session session = Session.on(tlsServer().build())) {
      session.startBridge(QuickBridge.config(session.server.url())
          .trustedCertificates(otherCertificate.certificatePem())
          .build());

      BridgeRecorder.Closed closed = session.recorder.awaitClosed(any -> true);
      session.recorder.awaitState(BridgeState.BACKING_OFF);

      // Unlike a bad file, a wrong CA only shows at the handshake: a retryable failure, as
      // the server might yet present another certificate.
      assertThat(closed.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(closed.status()).isEqualTo("UNAVAILABLE");
      assertThat(closed.failure()).hasMessageThat().contains("SSLHandshakeException");
      assertThat(session.server.streamOpens()).isEmpty();
      assertThat(session.handler.count()).isEqualTo(0);
    }
  }

  private static FakeEngramServer.Builder tlsServer() throws Exception {
    return FakeEngramServer.builder().onLoopback().tls(serverCertificate.keyManagers());
  }
}
