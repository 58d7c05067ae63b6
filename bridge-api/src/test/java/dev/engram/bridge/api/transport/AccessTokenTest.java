package dev.engram.bridge.api.transport;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessTokenTest {

  @Test
  void toString_neverShowsTheToken() {
    AccessToken token = AccessToken.of("tok-123");

    assertThat(token.toString()).doesNotContain("tok-123");
    assertThat(token.bearerHeaderValue()).isEqualTo("Bearer tok-123");
    assertThat(token.reveal()).isEqualTo("tok-123");
  }

  @Test
  void of_withNewline_isRejectedWithoutShowingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AccessToken.of("tok-123\n"));

    assertThat(e).hasMessageThat().doesNotContain("tok-123");
    assertThat(e).hasMessageThat().contains("ENGRAM_TOKEN");
  }

  @Test
  void of_blank_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of(" "));
  }

  @Test
  void equality_isByValue() {
    assertThat(AccessToken.of("a")).isEqualTo(AccessToken.of("a"));
    assertThat(AccessToken.of("a")).isNotEqualTo(AccessToken.of("b"));
  }

  @Test
  void transportSettings_toString_saysOnlyWhetherATokenIsSet() {
    TransportSettings settings =
        TransportSettings.builder(ServerUrl.parse("https://u:pw@engram.example.com"))
            .token(AccessToken.of("tok-123"))
            .trustedCertificates(Path.of("ca.pem"))
            .keepAliveTime(Duration.ofMinutes(5))
            .build();

    assertThat(settings.toString()).doesNotContain("tok-123");
    assertThat(settings.toString()).doesNotContain("pw");
    assertThat(settings.toString()).contains("token=set");
    assertThat(settings.maxInboundMessageBytes()).isEqualTo(4 * 1024 * 1024);
  }

  @Test
  void transportSettings_optionSetTwice_saysSo() {
    TransportSettings.Builder builder =
        TransportSettings.builder(ServerUrl.parse("https://h")).token(AccessToken.of("a"));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> builder.token(AccessToken.of("b")));

    assertThat(e).hasMessageThat().contains("token was already set");
  }

  @Test
  void transportSettings_nonPositiveKeepAlive_isRejected() {
    TransportSettings.Builder builder = TransportSettings.builder(ServerUrl.parse("https://h"));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> builder.keepAliveTime(Duration.ZERO));

    assertThat(e).hasMessageThat().contains("keepAliveTime is PT0S");
  }
}
