package dev.engram.bridge.grpc.it;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.grpc.it.BridgeRecorder.WAIT;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.testkit.RecordedStreamOpen;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server URLs as a user gives them to the bridge: what a URL without a port connects to, how
 * bad URLs are refused before anything runs, and user-info shown in no message. Only
 * 127.0.0.1 and in-process servers are ever contacted.
 */
@ExtendWith(NoSecretsInLogs.class)
class BridgeUrlTableTest {
  private static final String USER = Secrets.USER_INFO + "@";

  @ParameterizedTest
  @ValueSource(strings = {"http", "grpc"})
  void plaintextUrl_withoutPort_connectsToPort37777(String scheme) throws IOException {
    try (ServerSocket listener = listenOn(ServerUrl.DEFAULT_PLAINTEXT_PORT)) {
      listener.setSoTimeout((int) WAIT.toMillis());
      BridgeRecorder recorder = new BridgeRecorder();
      try (EngramBridge bridge = QuickBridge.builder(
          QuickBridge.config(scheme + "://" + USER + "127.0.0.1").build(), recorder).build()) {
        bridge.start();

        try (Socket connection = listener.accept()) {
          assertThat(connection.getLocalPort()).isEqualTo(37777);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"https", "grpcs"})
  void tlsUrl_withoutPort_connectsToPort443(String scheme) {
    BridgeRecorder recorder = new BridgeRecorder();
    try (EngramBridge bridge = QuickBridge.builder(
        QuickBridge.config(scheme + "://" + USER + "127.0.0.1").build(), recorder).build()) {
      bridge.start();

      // This assumes nothing listens on 127.0.0.1:443: the refusal then names the port.
      BridgeRecorder.Closed closed = recorder.awaitClosed(any -> true);
      assertThat(closed.status()).isEqualTo("UNAVAILABLE");
      assertThat(closed.failure()).hasMessageThat().contains("127.0.0.1:443");
      assertThat(Secrets.leakIn(closed.failure().toString())).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://" + Secrets.USER_INFO + "@",
      "https://" + Secrets.USER_INFO + "@:8443",
      "grpc://" + Secrets.USER_INFO + "@/engram",
  })
  void url_withoutHost_failsWhenConfigured_showingTheUrlWithoutUserInfo(String url) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeConfig.builder().serverUrl(url).build());

    assertThat(e).hasMessageThat().startsWith("serverUrl is invalid");
    assertThat(e).hasMessageThat().contains("has no host");
    assertThat(e).hasMessageThat().contains("://***@");
    assertThat(e).hasMessageThat().contains("expected scheme://host[:port]");
    assertThat(Secrets.leakIn(e.toString())).isFalse();
  }

  @Test
  void url_withoutHost_fromTheEnvironment_namesTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeConfig.fromEnvironment(Map.of(BridgeConfig.ENV_URL, "https://" + USER)));

    assertThat(e).hasMessageThat().startsWith("ENGRAM_URL is invalid");
    assertThat(e).hasMessageThat().contains("https://***@");
    assertThat(Secrets.leakIn(e.toString())).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://" + Secrets.USER_INFO + "@engram invalid",
      "127.0.0.1:37777",
  })
  void url_thatDoesNotParse_failsWhenConfigured_withoutUserInfo(String url) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeConfig.builder().serverUrl(url).build());

    assertThat(e).hasMessageThat().contains("expected scheme://host[:port]");
    assertThat(Secrets.leakIn(e.toString())).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp", "ws", "unix"})
  void unsupportedScheme_failsAtBuild_namingTheSupportedSchemes_withoutUserInfo(String scheme) {
    Set<String> threadsBefore = LiveThreads.names();
    BridgeConfig config =
        QuickBridge.config(scheme + "://" + USER + "engram.invalid:1").build();

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EngramBridge.builder().config(config).build());

    assertThat(e).hasMessageThat().contains("the URL scheme " + scheme);
    assertThat(e).hasMessageThat().contains("supported here: grpc, grpcs, http, https, inprocess");
    assertThat(e).hasMessageThat().contains("META-INF/services");
    assertThat(Secrets.leakIn(e.toString())).isFalse();
    assertThat(threadsBefore).containsAtLeastElementsIn(LiveThreads.names());
  }

  @Test
  void userInfo_inAWorkingUrl_isDropped_andShownNowhere() {
    try (Session session = Session.on(Session.Kind.LOOPBACK)) {
      session.server.addProjects("p1");
      session.tracker.add("p1");
      String url = session.server.url().replace("://", "://" + USER);
      EngramBridge bridge = session.startBridge(QuickBridge.config(url).build());
      session.awaitStreamAndFirstSync();

      session.server.removeProject("p1", "gone");

      assertThat(session.handler.await(1, WAIT).get(0).projectId()).isEqualTo("p1");
      assertThat(bridge.toString()).contains(session.server.url());
      RecordedStreamOpen open = session.server.takeStreamOpen(WAIT);
      List<String> texts = List.of(bridge.toString(),
          QuickBridge.config(url).build().toString(), open.headers().toString(),
          session.server.takeSyncRequest(WAIT).headers().toString());
      for (String text : texts) {
        assertThat(Secrets.leakIn(text)).isFalse();
      }
      // User-info is no way to send credentials: the server got no authorization header.
      assertThat(open.headers()).doesNotContainKey("authorization");
    }
  }

  private static ServerSocket listenOn(int port) throws IOException {
    try {
      return new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      throw new IOException("this test listens on 127.0.0.1:" + port + ", the default "
          + "plaintext port, to see the bridge connect there; free that port to run it", e);
    }
  }
}
