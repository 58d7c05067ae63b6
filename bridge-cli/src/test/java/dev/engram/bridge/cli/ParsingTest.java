package dev.engram.bridge.cli;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.ProjectRemoval;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class ParsingTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({"500ms, 500", "2s, 2000", "1m, 60000", "1h, 3600000", " 3s , 3000"})
  void duration_acceptsWholeNumbersWithAUnit(String text, long millis) {
    assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "5x", "-1s", "0s", "1.5s", "PT5S", "s"})
  void duration_rejectsAnythingElse_sayingWhatIsExpected(String text) {
    TypeConversionException e =
        assertThrows(TypeConversionException.class, () -> DurationConverter.parse(text));

    assertThat(e).hasMessageThat().contains("for example 500ms, 2s or 1m");
  }

  @Test
  void trackFile_skipsBlankLinesAndComments(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ids.txt");
    Files.writeString(file, "# projects\nalpha\n\n  beta  # trailing note\n#gamma\nalpha\n");

    assertThat(TrackedIds.collect(List.of("zeta", " ", "beta"), file))
        .containsExactly("zeta", "beta", "alpha")
        .inOrder();
  }

  @Test
  void trackFile_missing_isAClearError(@TempDir Path dir) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrackedIds.readFile(dir.resolve("nope.txt")));

    assertThat(e).hasMessageThat().contains("nope.txt does not exist");
  }

  @Test
  void trackFile_aDirectory_isAClearError(@TempDir Path dir) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrackedIds.readFile(dir));

    assertThat(e).hasMessageThat().contains("cannot be read");
  }

  @Test
  void jsonLine_hasTheFourFields_withNullsForWhatIsAbsent() {
    assertThat(JsonLine.of(ProjectRemoval.fromHeartbeat("p1", null)))
        .isEqualTo("{\"projectId\":\"p1\",\"source\":\"heartbeat\",\"eventId\":null,"
            + "\"reason\":null}");
  }

  @Test
  void jsonLine_escapesWhatJsonRequires() {
    ProjectRemoval removal =
        ProjectRemoval.fromStream("p\"1", "7", "line\nbreak \\ tab\t\u0001", null);

    assertThat(JsonLine.of(removal))
        .isEqualTo("{\"projectId\":\"p\\\"1\",\"source\":\"stream\",\"eventId\":\"7\","
            + "\"reason\":\"line\\nbreak \\\\ tab\\t\\u0001\"}");
  }
}
