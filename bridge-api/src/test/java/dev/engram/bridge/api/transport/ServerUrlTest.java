package dev.engram.bridge.api.transport;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ServerUrlTest {

  @ParameterizedTest(name = "{0} -> {1}:{2} tls={3}")
  @CsvSource({
    "https://engram.example.com, engram.example.com, 443, true",
    "grpcs://engram.example.com, engram.example.com, 443, true",
    "http://engram.example.com, engram.example.com, 37777, false",
    "grpc://engram.example.com, engram.example.com, 37777, false",
    "HTTPS://Engram.example.com:8443, Engram.example.com, 8443, true",
    "http://127.0.0.1:9000, 127.0.0.1, 9000, false",
    "http://[::1]:9000, [::1], 9000, false",
    "inprocess://engram-fake-1, engram-fake-1, 37777, false",
  })
  void parse_defaultsPortByScheme(String url, String host, int port, boolean tls) {
    ServerUrl parsed = ServerUrl.parse(url);

    assertThat(parsed.host()).isEqualTo(host);
    assertThat(parsed.port()).isEqualTo(port);
    assertThat(parsed.usesTls()).isEqualTo(tls);
    assertThat(parsed.authority()).isEqualTo(host + ":" + port);
  }

  @Test
  void toString_dropsUserInfo() {
    ServerUrl parsed = ServerUrl.parse("https://alice:s3cret@engram.example.com:8443/base");

    assertThat(parsed.toString()).isEqualTo("https://engram.example.com:8443/base");
    assertThat(parsed.toString()).doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "https://alice:s3cret@/path",
    "alice:s3cret@engram.example.com",
    "s3cret@engram.example.com",
    "https://alice:s3cret@:443",
  })
  void parse_noHostOrNoScheme_rejectsWithoutShowingUserInfo(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerUrl.parse(url));

    assertThat(e).hasMessageThat().doesNotContain("s3cret");
    assertThat(e).hasMessageThat().contains("expected scheme://host[:port]");
  }

  @Test
  void parse_noHost_namesTheRedactedUrl() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ServerUrl.parse("https://alice:s3cret@/x"));

    assertThat(e).hasMessageThat().contains("https://***@/x");
    assertThat(e).hasMessageThat().contains("has no host");
  }

  @Test
  void parse_unparseable_usesPlaceholder() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerUrl.parse("https://alice:s3cret@engram example.com"));

    assertThat(e).hasMessageThat().contains("<unparseable URL>");
    assertThat(e).hasMessageThat().doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void parse_empty_isRejected(String url) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerUrl.parse(url));

    assertThat(e).hasMessageThat().contains("empty");
  }

  @ParameterizedTest(name = "{0} loopback={1}")
  @CsvSource({
    "http://localhost, true",
    "http://127.0.0.1, true",
    "http://127.8.9.10, true",
    "http://[::1], true",
    "http://10.0.0.1, false",
    "http://engram.example.com, false",
    "http://localhost.example.com, false",
  })
  void isLoopback_decidesFromTheLiteral(String url, boolean loopback) {
    assertThat(ServerUrl.parse(url).isLoopback()).isEqualTo(loopback);
  }

  @Test
  void equalUrls_areEqual() {
    assertThat(ServerUrl.parse("https://h:1")).isEqualTo(ServerUrl.parse("https://u@h:1"));
    assertThat(ServerUrl.parse("https://h")).isNotEqualTo(ServerUrl.parse("http://h"));
  }
}
