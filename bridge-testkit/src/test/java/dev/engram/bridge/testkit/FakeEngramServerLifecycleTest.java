package dev.engram.bridge.testkit;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.proto.v1.ProjectEvent;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Start, stop, restart and close; URLs, ports, threads, TLS and the builder's checks. */
class FakeEngramServerLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final char[] PASSWORD = "changeit".toCharArray();

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    toClose.add(resource);
    return resource;
  }

  @Test
  void url_inProcess_isTheInprocessSchemeWithAUniqueValidHost() {
    FakeEngramServer first = closeLater(FakeEngramServer.inProcess());
    FakeEngramServer second = closeLater(FakeEngramServer.inProcess());

    URI url = URI.create(first.url());
    ServerUrl parsed = ServerUrl.parse(first.url());

    assertThat(url.getScheme()).isEqualTo("inprocess");
    assertThat(url.getHost()).isEqualTo(first.name());
    assertThat(first.name()).matches("[a-z0-9-]+");
    assertThat(first.name()).startsWith(FakeEngramServer.THREAD_NAME_PREFIX);
    assertThat(parsed.host()).isEqualTo(first.name());
    assertThat(second.name()).isNotEqualTo(first.name());
    assertThrows(IllegalStateException.class, first::port);
  }

  @Test
  void url_onLoopback_isHttpOn127001_withThePortBoundAtStart() {
    FakeEngramServer server = closeLater(FakeEngramServer.onLoopback());
    IllegalStateException beforeStart = assertThrows(IllegalStateException.class, server::url);

    server.start();

    assertThat(beforeStart).hasMessageThat().contains("call start() before port() or url()");
    assertThat(server.port()).isGreaterThan(0);
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    assertThat(ServerUrl.parse(server.url()).isLoopback()).isTrue();
  }

  @Test
  void onLoopback_withAChosenPort_listensThere() throws Exception {
    int port = freePort();
    FakeEngramServer server = closeLater(FakeEngramServer.onLoopback(port).start());
    TestClient client = closeLater(TestClient.connect(server));

    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + port);
    assertThat(client.sync("c", "p").getRemovedList()).containsExactly("p");
  }

  @Test
  void start_onAPortInUse_failsNamingThePort_andLeavesNoThread() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      FakeEngramServer server = closeLater(FakeEngramServer.onLoopback(taken.getLocalPort()));

      UncheckedIOException error = assertThrows(UncheckedIOException.class, server::start);

      assertThat(error).hasMessageThat().contains("127.0.0.1:" + taken.getLocalPort());
      assertThat(server.isRunning()).isFalse();
      assertNoThreadStartingWith(server.name());
    }
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void stop_endsOpenStreamsWithUnavailable_andStopsServing(ServerMode mode) throws Exception {
    FakeEngramServer server = closeLater(mode.builder().build().start());
    TestClient client = closeLater(TestClient.connect(server));
    EventCollector stream = client.stream("c");
    server.awaitOpenStreams(1, WAIT);

    server.stop();

    assertThat(stream.awaitEnd().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(client.syncFailure("c").getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(server.isRunning()).isFalse();
    assertThat(server.openStreamCount()).isEqualTo(0);
    assertNoThreadStartingWith(server.name());
  }

  @Test
  void stop_onLoopback_releasesThePort() throws Exception {
    FakeEngramServer server = closeLater(FakeEngramServer.onLoopback().start());
    TestClient client = closeLater(TestClient.connect(server));
    client.sync("c");

    server.stop();

    assertPortIsFree(server.port());
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void start_afterStop_servesAgainAtTheSameUrl_keepingProjectsEventIdsAndHistory(ServerMode mode)
      throws Exception {
    FakeEngramServer server = closeLater(mode.builder().replay(true).build().start());
    String url = server.url();
    server.addProjects("kept", "removed");
    server.removeProject("removed", "");
    server.stop();
    ProjectEvent whileDown = server.removeProject("removed-while-down", "");

    server.start();
    TestClient client = closeLater(TestClient.connect(server));
    EventCollector resumed = client.resume("c", "1");
    server.awaitOpenStreams(1, WAIT);
    ProjectEvent afterRestart = server.removeProject("after-restart", "");

    assertThat(server.url()).isEqualTo(url);
    assertThat(server.isRunning()).isTrue();
    assertThat(resumed.take(2)).containsExactly(whileDown, afterRestart).inOrder();
    assertThat(afterRestart.getEventId()).isEqualTo("3");
    assertThat(client.sync("c", "kept", "removed").getRemovedList()).containsExactly("removed");
  }

  @Test
  void restart_onLoopback_letsAnExistingChannelReconnect() throws Exception {
    FakeEngramServer server = closeLater(FakeEngramServer.onLoopback().start());
    TestClient client = closeLater(TestClient.connect(server));
    client.sync("c");

    server.stop();
    assertThat(client.syncFailure("c").getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    server.start();
    client.resetConnectBackoff();

    assertThat(client.syncWhenReady("c", "p").getRemovedList()).containsExactly("p");
  }

  @ParameterizedTest
  @EnumSource(ServerMode.class)
  void close_isIdempotent_leavesNoServerThread_andForbidsRestart(ServerMode mode)
      throws Exception {
    FakeEngramServer server = mode.builder().build().start();
    TestClient client = closeLater(TestClient.connect(server));
    client.sync("c");
    client.stream("c");
    server.awaitOpenStreams(1, WAIT);
    server.delaySyncs(Duration.ofMillis(10));
    client.sync("c");

    server.close();
    server.close();

    assertThat(server.isRunning()).isFalse();
    assertNoThreadStartingWith(server.name());
    IllegalStateException restart = assertThrows(IllegalStateException.class, server::start);
    assertThat(restart).hasMessageThat().contains("was closed");
  }

  @Test
  void start_andStop_areIdempotent() throws Exception {
    FakeEngramServer server = closeLater(FakeEngramServer.onLoopback());
    server.stop();

    server.start();
    int port = server.port();
    server.start();

    assertThat(server.port()).isEqualTo(port);
    server.stop();
    server.stop();
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void scripting_worksWhileStopped() {
    FakeEngramServer server = closeLater(FakeEngramServer.inProcess());

    server.addProjects("p1", "p2");
    ProjectEvent removal = server.removeProject("p1", "");

    assertThat(server.liveProjects()).containsExactly("p2");
    assertThat(removal.getEventId()).isEqualTo("1");
    assertThat(server.endStreams(Status.UNAVAILABLE)).isEqualTo(0);
  }

  @Test
  void tls_onLoopback_servesHttps_toAClientThatTrustsTheCertificate(@TempDir Path dir)
      throws Exception {
    KeyStore keyStore = generateKeyStore(dir);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore, PASSWORD);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(keyStore);
    FakeEngramServer server =
        closeLater(FakeEngramServer.builder().onLoopback().tls(keys).token("tls-token").build());

    server.start();
    TestClient trusting = closeLater(TestClient.connect(server,
        TlsChannelCredentials.newBuilder().trustManager(trust.getTrustManagers()).build()));
    TestClient plaintext = closeLater(TestClient.plaintext(server.port()));

    assertThat(server.url()).isEqualTo("https://127.0.0.1:" + server.port());
    assertThat(trusting.sync(TestClient.request("c", "p"), TestClient.bearer("tls-token"), WAIT)
            .getRemovedList())
        .containsExactly("p");
    assertThat(plaintext.syncFailure("c").getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(server.toString()).contains("tls");
    assertThat(server.toString()).doesNotContain("tls-token");
  }

  @Test
  void builder_rejectsAnOptionSetTwice_namingIt() {
    IllegalStateException token = assertThrows(IllegalStateException.class,
        () -> FakeEngramServer.builder().token("first-token").token("second-token"));
    IllegalStateException transport = assertThrows(IllegalStateException.class,
        () -> FakeEngramServer.builder().inProcess().onLoopback());
    IllegalStateException buffer = assertThrows(IllegalStateException.class,
        () -> FakeEngramServer.builder().subscriberBuffer(1).subscriberBuffer(2));

    assertThat(token).hasMessageThat().isEqualTo(
        "token was already set on this builder; set each option once");
    assertThat(token).hasMessageThat().doesNotContain("-token");
    assertThat(transport).hasMessageThat().contains("the transport");
    assertThat(buffer).hasMessageThat().contains("subscriberBuffer");
  }

  @Test
  void builder_rejectsBadValues_namingTheSettingAndWhatIsExpected() throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());

    IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
        () -> FakeEngramServer.builder().maxIdsPerSync(0));
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> FakeEngramServer.builder().onLoopback(70_000));
    IllegalArgumentException history = assertThrows(IllegalArgumentException.class,
        () -> FakeEngramServer.builder().historySize(-1));
    IllegalArgumentException threshold = assertThrows(IllegalArgumentException.class,
        () -> FakeEngramServer.builder().unknownAfter(Duration.ofSeconds(-1)));
    IllegalArgumentException blankToken = assertThrows(IllegalArgumentException.class,
        () -> FakeEngramServer.builder().token("  "));
    IllegalStateException tlsInProcess = assertThrows(IllegalStateException.class,
        () -> FakeEngramServer.builder().tls(keys).build());

    assertThat(cap).hasMessageThat().isEqualTo("maxIdsPerSync is 0; expected 1 or more");
    assertThat(port).hasMessageThat().contains("port is 70000; expected 0");
    assertThat(history).hasMessageThat().contains("historySize is -1");
    assertThat(threshold).hasMessageThat().contains("unknownAfter is PT-1S");
    assertThat(blankToken).hasMessageThat().contains("token is blank");
    assertThat(tlsInProcess).hasMessageThat().contains("needs a loopback server");
  }

  @Test
  void scripting_rejectsBadArguments() {
    FakeEngramServer server = closeLater(FakeEngramServer.inProcess());

    assertThrows(IllegalArgumentException.class, () -> server.failNextSyncs(1, Status.OK));
    assertThrows(IllegalArgumentException.class, () -> server.failNextStreams(-1,
        Status.UNAVAILABLE));
    assertThrows(IllegalArgumentException.class, () -> server.delaySyncs(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> server.setToken(""));
    assertThrows(NullPointerException.class, () -> server.addProjects("a", null));
  }

  @Test
  void builder_buildsIndependentServers_eachTime() {
    FakeEngramServer.Builder builder = FakeEngramServer.builder().token("t");

    FakeEngramServer first = closeLater(builder.build());
    FakeEngramServer second = closeLater(builder.build());
    first.addProjects("only-in-first");

    assertThat(second.liveProjects()).isEmpty();
    assertThat(second.name()).isNotEqualTo(first.name());
  }

  /** Waits briefly for threads that are on their way out, then checks none is left. */
  static void assertNoThreadStartingWith(String prefix) throws InterruptedException {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(prefix)) {
        // An executor reports termination just before its last thread returns.
        thread.join(TimeUnit.SECONDS.toMillis(2));
        assertThat(thread.isAlive()).isFalse();
      }
    }
  }

  static void assertPortIsFree(int port) throws Exception {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  /** A PKCS12 key store with a self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
  private static KeyStore generateKeyStore(Path dir) throws Exception {
    Path file = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "fake-engram", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
            "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
            "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isEqualTo(0);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(file.toFile())) {
      keyStore.load(in, PASSWORD);
    }
    return keyStore;
  }
}
