package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.TransportSettings;
import dev.engram.bridge.grpc.testing.LogCapture;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Warnings given when a transport is created. No test here makes a call: the hosts named do not
 * exist (".invalid" never resolves) and creating a transport connects nothing.
 */
@ExtendWith(NoSecretsInLogs.class)
class TransportWarningsTest {

  @Test
  void tokenInPlaintext_toRemoteHost_warnsOnce_withoutTheToken() {
    int mark = LogCapture.mark();

    create("http://" + Secrets.USER_INFO + "@engram.invalid:8080",
        settings -> settings.token(Secrets.token()));

    List<LogCapture.Line> warnings = warnings(mark);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).message()).contains("plaintext");
    assertThat(warnings.get(0).keyValues()).containsEntry("url", "http://engram.invalid:8080");
    assertThat(warnings.get(0).text()).doesNotContain(Secrets.TOKEN);
    assertThat(warnings.get(0).text()).doesNotContain(Secrets.URL_PASSWORD);
  }

  @Test
  void tokenInPlaintext_onGrpcScheme_warnsToo() {
    int mark = LogCapture.mark();

    create("grpc://engram.invalid", settings -> settings.token(Secrets.token()));

    assertThat(warnings(mark)).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "http://127.8.9.10:9",
      "https://engram.invalid", "grpcs://engram.invalid", "inprocess://some-server"})
  void tokenOverTlsOrLoopbackOrInProcess_doesNotWarn(String url) {
    int mark = LogCapture.mark();

    create(url, settings -> settings.token(Secrets.token()));

    assertThat(warnings(mark)).isEmpty();
  }

  @Test
  void plaintextToRemoteHost_withoutToken_doesNotWarn() {
    int mark = LogCapture.mark();

    create("http://engram.invalid", settings -> {});

    assertThat(warnings(mark)).isEmpty();
  }

  @Test
  void keepAlive_belowFiveMinutes_warnsWithTheRecommendation() {
    int mark = LogCapture.mark();

    create("http://127.0.0.1:9", settings -> settings.keepAliveTime(Duration.ofSeconds(30)));

    List<LogCapture.Line> warnings = warnings(mark);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).message()).contains("too_many_pings");
    assertThat(warnings.get(0).keyValues()).containsEntry("keep_alive_ms", "30000");
  }

  @Test
  void keepAlive_ofFiveMinutesOrMore_orUnset_doesNotWarn() {
    int mark = LogCapture.mark();

    create("http://127.0.0.1:9", settings -> settings.keepAliveTime(Duration.ofMinutes(5)));
    create("http://127.0.0.1:9", settings -> settings.keepAliveTime(Duration.ofHours(1)));
    create("http://127.0.0.1:9", settings -> {});

    assertThat(warnings(mark)).isEmpty();
  }

  @Test
  void trustedCertificates_onPlaintextUrl_warnsThatTheyAreIgnored() {
    int mark = LogCapture.mark();

    // The file is not read for a plaintext URL, so it need not exist.
    create("http://127.0.0.1:9",
        settings -> settings.trustedCertificates(Path.of("no-such-ca.pem")));

    List<LogCapture.Line> warnings = warnings(mark);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).message()).contains("ignored");
  }

  private static void create(String url, Consumer<TransportSettings.Builder> configure) {
    TransportSettings.Builder settings = TransportSettings.builder(ServerUrl.parse(url));
    configure.accept(settings);
    try (GrpcTransport transport = GrpcTransport.create(settings.build())) {
      assertThat(transport.toString()).startsWith("GrpcTransport{");
    }
  }

  private static List<LogCapture.Line> warnings(int mark) {
    return LogCapture.matching(mark, line -> line.level().equals("WARN")
        && line.logger().startsWith("dev.engram.bridge.grpc"));
  }
}
