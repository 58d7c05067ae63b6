package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.ServerEvent;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.testing.Events;
import dev.engram.bridge.grpc.testing.LogCapture;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestCertificates;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS on 127.0.0.1 with certificates made for this run, and every way the CA setting can fail. */
@ExtendWith(NoSecretsInLogs.class)
class TlsTest {
  @TempDir static Path directory;

  private static TestCertificates serverCertificate;
  private static TestCertificates otherCertificate;
  private TestEngramServer server;

  @BeforeAll
  static void makeCertificates() throws Exception {
    serverCertificate = TestCertificates.server();
    otherCertificate = TestCertificates.other();
  }

  @BeforeEach
  void startTlsServer() throws Exception {
    server = TestEngramServer.loopbackTls(serverCertificate.keyManagers());
  }

  @AfterEach
  void stopTlsServer() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https", "grpcs"})
  void tls_withTheServersCaFile_carriesStreamAndSync_andTheToken(String scheme)
      throws Exception {
    int mark = LogCapture.mark();
    try (GrpcTransport transport = GrpcTransport.create(settings(scheme)
        .trustedCertificates(serverCertificate.certificatePem())
        .token(Secrets.token())
        .build())) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = transport.openEventStream("c", "", observer);
      observer.request(stream, 1);
      server.awaitStream().send(Events.removal("1", "p"));
      ServerEvent event = observer.awaitEvent();
      SyncResult result = transport.sync(SyncRequest.of("c", List.of("gone-1")),
          Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);

      assertThat(event.projectId()).isEqualTo("p");
      assertThat(result.removed()).containsExactly("gone-1");
      assertThat(server.awaitSync().authorization()).isEqualTo("Bearer " + Secrets.TOKEN);
      assertThat(LogCapture.matching(mark, line -> line.level().equals("WARN"))).isEmpty();
    }
  }

  @Test
  void tls_withTheJdkTrustStore_rejectsTheSelfSignedServer_asRetryable() {
    try (GrpcTransport transport = GrpcTransport.create(settings("https").build())) {
      assertHandshakeFailsRetryable(transport);
    }
  }

  @Test
  void tls_withTheWrongCa_failsTheHandshake_asRetryable() {
    try (GrpcTransport transport = GrpcTransport.create(settings("https")
        .trustedCertificates(otherCertificate.certificatePem()).build())) {
      assertHandshakeFailsRetryable(transport);
    }
  }

  @Test
  void caFile_missing_isRejectedAtCreate_namingTheFile() {
    Path missing = directory.resolve("missing-ca.pem");

    IllegalArgumentException e = createFails(missing);

    assertThat(e).hasMessageThat().contains(missing.toString());
    assertThat(e).hasMessageThat().contains("does not exist");
    assertThat(e).hasMessageThat().contains("PEM");
    assertThat(e).hasMessageThat().contains("ENGRAM_TLS_CA");
  }

  @Test
  void caFile_thatIsADirectory_isRejectedAtCreate_asUnreadable() {
    IllegalArgumentException e = createFails(directory);

    assertThat(e).hasMessageThat().contains(directory.toString());
    assertThat(e).hasMessageThat().contains("is a directory");
  }

  @Test
  void caFile_holdingGarbage_isRejectedAtCreate() throws Exception {
    Path garbage = Files.writeString(directory.resolve("garbage.pem"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
        StandardCharsets.US_ASCII);

    IllegalArgumentException e = createFails(garbage);

    assertThat(e).hasMessageThat().contains(garbage.toString());
    assertThat(e).hasMessageThat().contains("certificate");
    assertThat(e).hasMessageThat().contains("expected a readable PEM file");
  }

  @Test
  void caFile_holdingText_isRejectedAtCreate() throws Exception {
    Path text = Files.writeString(directory.resolve("notes.pem"), "just some notes\n");

    IllegalArgumentException e = createFails(text);

    assertThat(e).hasMessageThat().contains(text.toString());
    assertThat(e).hasMessageThat().contains("expected a readable PEM file");
  }

  @Test
  void caFile_empty_isRejectedAtCreate_asHoldingNoCertificate() throws Exception {
    Path empty = Files.createFile(directory.resolve("empty.pem"));

    IllegalArgumentException e = createFails(empty);

    assertThat(e).hasMessageThat().contains(empty.toString());
    assertThat(e).hasMessageThat().contains("holds no certificate");
  }

  @Test
  void caFile_withSeveralCertificates_trustsEachOfThem() throws Exception {
    Path bundle = directory.resolve("bundle.pem");
    Files.writeString(bundle, Files.readString(otherCertificate.certificatePem())
        + Files.readString(serverCertificate.certificatePem()));

    try (GrpcTransport transport = GrpcTransport.create(settings("https")
        .trustedCertificates(bundle).build())) {
      SyncResult result = transport.sync(SyncRequest.of("c", List.of("gone-2")),
          Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);

      assertThat(result.removed()).containsExactly("gone-2");
    }
  }

  private TransportSettings.Builder settings(String scheme) {
    return TransportSettings.builder(
        ServerUrl.parse(scheme + "://127.0.0.1:" + server.port()));
  }

  private IllegalArgumentException createFails(Path caFile) {
    return assertThrows(IllegalArgumentException.class,
        () -> GrpcTransport.create(settings("https").trustedCertificates(caFile).build()));
  }

  private static void assertHandshakeFailsRetryable(GrpcTransport transport) {
    RecordingObserver observer = new RecordingObserver();
    transport.openEventStream("c", "", observer);
    TransportException streamFailure = observer.awaitFailure();
    TransportException syncFailure;
    try {
      syncFailure = StatusMappingTest.syncFailure(transport);
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    for (TransportException failure : List.of(streamFailure, syncFailure)) {
      assertThat(failure.kind()).isEqualTo(FailureKind.RETRYABLE);
      assertThat(failure.status()).isEqualTo("UNAVAILABLE");
    }
    assertThat(streamFailure).hasMessageThat().contains("SSLHandshakeException");
  }
}
