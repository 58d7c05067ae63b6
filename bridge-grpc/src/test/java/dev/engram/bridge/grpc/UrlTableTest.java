package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.ProviderLoader;
import dev.engram.bridge.api.transport.EventStream;
import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.api.transport.TransportProvider;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server URLs from the transport's side: what each one turns into, and how bad ones are refused
 * without showing their user-info. Creating a transport connects nothing, so the hosts named here
 * are never contacted (".invalid" names never resolve anyway).
 */
@ExtendWith(NoSecretsInLogs.class)
class UrlTableTest {
  private static final String USER = Secrets.USER_INFO + "@";

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      // url,                               scheme,  tls,   port,  channel authority
      "http://engram.invalid,               http,    false, 37777, engram.invalid:37777",
      "grpc://engram.invalid,               grpc,    false, 37777, engram.invalid:37777",
      "https://engram.invalid,              https,   true,  443,   engram.invalid:443",
      "grpcs://engram.invalid,              grpcs,   true,  443,   engram.invalid:443",
      "http://engram.invalid:8080,          http,    false, 8080,  engram.invalid:8080",
      "https://engram.invalid:8443/,        https,   true,  8443,  engram.invalid:8443",
      "HTTPS://Engram.Invalid,              https,   true,  443,   Engram.Invalid:443",
      "http://127.0.0.1,                    http,    false, 37777, 127.0.0.1:37777",
      "grpc://[::1]:9000,                   grpc,    false, 9000,  [::1]:9000",
      "grpcs://unix:443,                    grpcs,   true,  443,   unix:443",
      // An in-process channel names no real authority.
      "inprocess://fake-server-1,           inprocess, false, 37777, localhost",
  })
  void url_becomesTheExpectedChannel(
      String url, String scheme, boolean tls, int port, String authority) {
    ServerUrl parsed = ServerUrl.parse(url);

    try (GrpcTransport transport = GrpcTransport.create(TransportSettings.builder(parsed)
        .build())) {
      assertThat(parsed.scheme()).isEqualTo(scheme);
      assertThat(parsed.usesTls()).isEqualTo(tls);
      assertThat(parsed.port()).isEqualTo(port);
      assertThat(transport.channel().authority()).isEqualTo(authority);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "grpc", "https", "grpcs", "inprocess"})
  void everySupportedScheme_findsThisProvider_throughServiceLoader(String scheme) {
    TransportProvider provider = ProviderLoader.loadFirst(TransportProvider.class,
        candidate -> candidate.schemes().contains(scheme), "the URL scheme " + scheme,
        "dev.engram.bridge:bridge-grpc");

    assertThat(provider).isInstanceOf(GrpcTransportProvider.class);
    assertThat(provider.isAvailable()).isTrue();
    assertThat(provider.priority()).isEqualTo(TransportProvider.DEFAULT_PRIORITY);
    try (var transport = provider.create(TransportSettings.builder(
        ServerUrl.parse(scheme + "://engram.invalid")).build())) {
      assertThat(transport).isInstanceOf(GrpcTransport.class);
    }
  }

  @Test
  void unsupportedScheme_isNotFoundAtTheCore_withoutUserInfo() {
    ServerUrl url = ServerUrl.parse("ftp://" + USER + "engram.invalid");

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ProviderLoader.loadFirst(TransportProvider.class,
            candidate -> candidate.schemes().contains(url.scheme()),
            "the URL scheme " + url.scheme(), "dev.engram.bridge:bridge-grpc"));

    assertThat(e).hasMessageThat().contains("the URL scheme ftp");
    assertThat(e).hasMessageThat().doesNotContain(Secrets.URL_PASSWORD);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp", "ws", "unix", "dns"})
  void unsupportedScheme_isRejectedByTheProvider_withWhatIsExpected(String scheme) {
    TransportSettings settings = TransportSettings.builder(
        ServerUrl.parse(scheme + "://" + USER + "engram.invalid:1")).build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GrpcTransportProvider().create(settings));

    assertThat(e).hasMessageThat().contains("'" + scheme + "'");
    assertThat(e).hasMessageThat().contains(scheme + "://engram.invalid:1");
    assertThat(e).hasMessageThat().contains("https://");
    assertThat(e).hasMessageThat().doesNotContain(Secrets.URL_PASSWORD);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://" + Secrets.USER_INFO + "@",
      "https://" + Secrets.USER_INFO + "@:8080",
      "engram.invalid:8080",
      "http:/" + Secrets.USER_INFO + "@engram.invalid",
      "http://" + Secrets.USER_INFO + "@engram invalid",
      "",
  })
  void badUrl_isRejectedBeforeAnythingStarts_withoutUserInfo(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerUrl.parse(url));

    assertThat(e).hasMessageThat().contains("expected scheme://host[:port]");
    assertThat(e).hasMessageThat().doesNotContain(Secrets.URL_PASSWORD);
  }

  @Test
  void missingHost_saysSo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerUrl.parse("https://" + USER));

    assertThat(e).hasMessageThat().contains("has no host");
    assertThat(e).hasMessageThat().contains("https://***@");
  }

  @Test
  void userInfo_neverShows_inToStringOrFailures() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    TransportSettings settings = TransportSettings.builder(
        ServerUrl.parse("http://" + USER + "127.0.0.1:" + closedPort))
        .token(Secrets.token()).build();

    try (GrpcTransport transport = GrpcTransport.create(settings)) {
      RecordingObserver observer = new RecordingObserver();
      EventStream stream = transport.openEventStream("c", "", observer);
      stream.request(1);
      TransportException failure = observer.awaitFailure();

      assertThat(failure.status()).isEqualTo("UNAVAILABLE");
      for (String text : new String[] {
          transport.toString(), settings.toString(), failure.toString(),
          String.valueOf(failure.getCause()), stream.toString()}) {
        assertThat(Secrets.leakIn(text)).isFalse();
      }
      assertThat(transport.toString()).contains("http://127.0.0.1:" + closedPort);
    }
  }
}
