package dev.engram.bridge.cli;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments exit 2 with the reason and the usage, before anything connects. */
class WatchArgumentsTest {

  @Test
  void unknownFlag_exits2_withTheFlagAndTheUsage() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--server-url", "http://127.0.0.1:1", "--colour");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("Unknown option: '--colour'");
    assertThat(cli.err()).contains("Usage: engram-bridge watch");
  }

  @Test
  void badDuration_exits2_sayingWhatIsExpected() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--server-url", "http://127.0.0.1:1",
        "--heartbeat-interval", "5 minutes");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("'5 minutes' is not a duration");
    assertThat(cli.err()).contains("Usage: engram-bridge watch");
  }

  @Test
  void missingTrackFile_exits2_namingTheFile(@TempDir Path dir) {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--server-url", "http://127.0.0.1:1",
        "--track-file", dir.resolve("ids.txt").toString());

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("ids.txt does not exist");
    assertThat(cli.err()).contains("Usage: engram-bridge watch");
  }

  @Test
  void badUrl_exits2_withoutShowingUserInfo() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--server-url", "https://alice:s3cret@/nohost");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("has no host");
    assertThat(cli.err()).doesNotContain("s3cret");
  }

  @Test
  void unsupportedScheme_exits2_namingWhatIsSupported() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--server-url", "ftp://engram.example.com");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("ftp");
    assertThat(cli.err()).contains("Usage: engram-bridge watch");
  }

  @Test
  void noUrlAnywhere_exits2_namingTheFlagAndTheVariable() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("--server-url");
    assertThat(cli.err()).contains("ENGRAM_URL");
  }

  @Test
  void badTokenInTheEnvironment_exits2_withoutShowingIt() {
    CliRun cli = new CliRun(Map.of("ENGRAM_TOKEN", "tok secret"));

    int code = cli.run("watch", "--server-url", "http://127.0.0.1:1");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("ENGRAM_TOKEN");
    assertThat(cli.err()).doesNotContain("tok secret");
  }

  @Test
  void tokenFlag_doesNotExist_soTokensStayOutOfProcessLists() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--server-url", "http://127.0.0.1:1", "--token", "abc");

    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("Unknown option");
  }

  @Test
  void help_exits0_andListsEveryFlag() {
    CliRun cli = new CliRun(Map.of());

    int code = cli.run("watch", "--help");

    assertThat(code).isEqualTo(0);
    assertThat(cli.out()).contains("--server-url");
    assertThat(cli.out()).contains("--track-file");
    assertThat(cli.out()).contains("--heartbeat-interval");
    assertThat(cli.out()).contains("--json");
  }
}
