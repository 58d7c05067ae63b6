package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.core.testing.QuietLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BridgeConfigTest {

  @Test
  void defaults_matchTheDocumentedValues() {
    BridgeConfig config = BridgeConfig.defaults();

    assertThat(config.serverUrl()).isEmpty();
    assertThat(config.token()).isEmpty();
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.heartbeatJitter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.initialSyncDelayMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.reconnectSyncDelayMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.syncDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.syncChunkSize()).isEqualTo(10_000);
    assertThat(config.syncChunkFloor()).isEqualTo(100);
    assertThat(config.streamStablePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.backoff()).isEqualTo(BackoffPolicy.defaults());
    assertThat(config.handlerQueueCapacity()).isEqualTo(1024);
    assertThat(config.slowHandlerThreshold()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.maxHandlerAttempts()).isEqualTo(3);
    assertThat(config.closeGracePeriod()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.dedupWindowSize()).isEqualTo(1024);
    assertThat(config.streamRequestWindow()).isEqualTo(128);
    assertThat(config.clockSkewWarning()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.keepAliveTime()).isEmpty();
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        bad("heartbeatInterval", b -> b.heartbeatInterval(Duration.ZERO),
            "heartbeatInterval is 0s; expected a positive duration"),
        bad("heartbeatInterval", b -> b.heartbeatInterval(Duration.ofSeconds(-5)),
            "heartbeatInterval is -5s"),
        bad("heartbeatJitter", b -> b.heartbeatJitter(Duration.ofSeconds(60)),
            "heartbeatJitter is 60s; expected a duration from 0 to below heartbeatInterval (60s)"),
        bad("heartbeatJitter", b -> b.heartbeatJitter(Duration.ofMillis(-1)),
            "heartbeatJitter is -1ms"),
        bad("initialSyncDelayMax", b -> b.initialSyncDelayMax(Duration.ofSeconds(-1)),
            "initialSyncDelayMax is -1s; expected a duration of 0 or more"),
        bad("reconnectSyncDelayMax", b -> b.reconnectSyncDelayMax(Duration.ofSeconds(-1)),
            "reconnectSyncDelayMax is -1s"),
        bad("syncDeadline", b -> b.syncDeadline(Duration.ZERO), "syncDeadline is 0s"),
        bad("syncChunkSize", b -> b.syncChunkSize(0), "syncChunkSize is 0; expected 1 or more"),
        bad("syncChunkFloor", b -> b.syncChunkFloor(0), "syncChunkFloor is 0"),
        bad("syncChunkFloor", b -> b.syncChunkSize(50).syncChunkFloor(51),
            "syncChunkFloor is 51; expected a number of ids from 1 to syncChunkSize (50)"),
        bad("streamStablePeriod", b -> b.streamStablePeriod(Duration.ofMillis(500)),
            "streamStablePeriod is 500ms; expected at least 1s"),
        bad("handlerQueueCapacity", b -> b.handlerQueueCapacity(0), "handlerQueueCapacity is 0"),
        bad("slowHandlerThreshold", b -> b.slowHandlerThreshold(Duration.ZERO),
            "slowHandlerThreshold is 0s"),
        bad("maxHandlerAttempts", b -> b.maxHandlerAttempts(0), "maxHandlerAttempts is 0"),
        bad("closeGracePeriod", b -> b.closeGracePeriod(Duration.ofSeconds(-1)),
            "closeGracePeriod is -1s"),
        bad("dedupWindowSize", b -> b.dedupWindowSize(-3), "dedupWindowSize is -3"),
        bad("streamRequestWindow", b -> b.streamRequestWindow(0), "streamRequestWindow is 0"),
        bad("clockSkewWarning", b -> b.clockSkewWarning(Duration.ZERO), "clockSkewWarning is 0s"),
        bad("keepAliveTime", b -> b.keepAliveTime(Duration.ZERO), "keepAliveTime is 0s"),
        bad("serverUrl", b -> b.serverUrl("engram.example.com"),
            "serverUrl is invalid: the server URL engram.example.com has no scheme"),
        bad("serverUrl", b -> b.serverUrl("https://"), "serverUrl is invalid"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("invalidSettings")
  void build_invalidSetting_failsNamingSettingValueAndExpectation(
      String setting, UnaryOperator<BridgeConfig.Builder> change, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> change.apply(BridgeConfig.builder()).build());

    assertThat(e).hasMessageThat().startsWith(setting);
    assertThat(e).hasMessageThat().contains(message);
  }

  @Test
  void build_badUrlWithUserInfo_neverShowsTheCredentials() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeConfig.builder().serverUrl("https://alice:s3cret@/path").build());

    assertThat(e).hasMessageThat().doesNotContain("s3cret");
    assertThat(e).hasMessageThat().doesNotContain("alice");
  }

  @Test
  void chunkFloor_defaultsToChunkSize_whenTheChunkSizeIsSmallerThanTheDefaultFloor() {
    assertThat(BridgeConfig.builder().syncChunkSize(10).build().syncChunkFloor()).isEqualTo(10);
  }

  @Test
  void builder_optionGivenTwice_isRefused() {
    BridgeConfig.Builder builder = BridgeConfig.builder().syncChunkSize(5);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> builder.syncChunkSize(6));
    assertThat(e).hasMessageThat().contains("syncChunkSize was already set");
  }

  @Test
  void toString_neverShowsTokenOrUserInfo() {
    BridgeConfig config = BridgeConfig.builder()
        .serverUrl("https://bob:hunter2@engram.example.com:8443")
        .token(AccessToken.of("tok-very-secret"))
        .build();

    assertThat(config.toString()).doesNotContain("tok-very-secret");
    assertThat(config.toString()).doesNotContain("hunter2");
    assertThat(config.toString()).doesNotContain("bob");
    assertThat(config.toString()).contains("https://engram.example.com:8443");
    assertThat(config.toString()).contains("token=set");
  }

  @Test
  void fromEnvironment_readsUrlTokenAndCa() {
    BridgeConfig config = BridgeConfig.fromEnvironment(Map.of(
        "ENGRAM_URL", "https://engram.example.com",
        "ENGRAM_TOKEN", "t0ken",
        "ENGRAM_TLS_CA", "/etc/engram/ca.pem"));

    assertThat(config.serverUrl().get().toString()).isEqualTo("https://engram.example.com");
    assertThat(config.serverUrl().get().port()).isEqualTo(443);
    assertThat(config.token()).hasValue(AccessToken.of("t0ken"));
    assertThat(config.trustedCertificates()).hasValue(Path.of("/etc/engram/ca.pem"));
    assertThat(QuietLogs.linesWith("deprecated")).isEmpty();
  }

  @Test
  void fromEnvironment_deprecatedUrlVariable_isUsedWithOneWarning() {
    BridgeConfig config = BridgeConfig.fromEnvironment(
        Map.of("ENGRAM_SERVER_URL", "http://127.0.0.1:9000"));

    assertThat(config.serverUrl().get().port()).isEqualTo(9000);
    assertThat(QuietLogs.linesWith("WARN", "ENGRAM_SERVER_URL")).hasSize(1);
  }

  @Test
  void fromEnvironment_canonicalVariableWinsOverTheDeprecatedOne() {
    BridgeConfig config = BridgeConfig.fromEnvironment(Map.of(
        "ENGRAM_URL", "http://127.0.0.1:1111",
        "ENGRAM_SERVER_URL", "http://127.0.0.1:2222"));

    assertThat(config.serverUrl().get().port()).isEqualTo(1111);
    assertThat(QuietLogs.linesWith("WARN")).isEmpty();
  }

  @Test
  void fromEnvironment_nothingSet_hasNoServer() {
    BridgeConfig config = BridgeConfig.fromEnvironment(Map.of("ENGRAM_URL", "  "));

    assertThat(config.serverUrl()).isEmpty();
    assertThat(config).isEqualTo(BridgeConfig.defaults());
  }

  @Test
  void fromEnvironment_badUrl_namesTheVariableAndRedactsUserInfo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeConfig.fromEnvironment(Map.of("ENGRAM_URL", "user:pw@nohost")));

    assertThat(e).hasMessageThat().startsWith("ENGRAM_URL is invalid");
    assertThat(e).hasMessageThat().doesNotContain("pw@");
  }

  @Test
  void fromEnvironment_badToken_failsWithoutShowingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BridgeConfig.fromEnvironment(Map.of("ENGRAM_TOKEN", "abc def-secret")));

    assertThat(e).hasMessageThat().contains("ENGRAM_TOKEN");
    assertThat(e).hasMessageThat().doesNotContain("def-secret");
  }

  @Test
  void builderFromEnvironment_allowsAddingSettings() {
    BridgeConfig config = BridgeConfig.builderFromEnvironment(
            Map.of("ENGRAM_URL", "grpc://10.0.0.1"))
        .heartbeatInterval(Duration.ofSeconds(30))
        .build();

    assertThat(config.serverUrl().get().port()).isEqualTo(37777);
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void toBuilder_roundTripsAndAllowsOneChange() {
    BridgeConfig config = BridgeConfig.builder()
        .serverUrl("https://engram.example.com")
        .syncChunkSize(500)
        .build();

    BridgeConfig same = config.toBuilder().build();
    BridgeConfig changed = config.toBuilder().syncChunkSize(400).build();

    assertThat(same).isEqualTo(config);
    assertThat(changed.syncChunkSize()).isEqualTo(400);
    assertThat(changed.serverUrl()).isEqualTo(config.serverUrl());
  }

  private static Arguments bad(
      String setting, UnaryOperator<BridgeConfig.Builder> change, String message) {
    return Arguments.of(setting, change, message);
  }
}
