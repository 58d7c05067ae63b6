package dev.engram.bridge.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The project ids that {@code watch} tracks, from {@code --track} and {@code --track-file}. */
final class TrackedIds {

  private TrackedIds() {}

  /**
   * The union of the listed ids and the file's, in order of first mention.
   *
   * @throws IllegalArgumentException if the file cannot be read, saying why
   */
  static Set<String> collect(List<String> listed, Path trackFile) {
    Set<String> ids = new LinkedHashSet<>();
    for (String id : listed) {
      if (!id.isBlank()) {
        ids.add(id.strip());
      }
    }
    if (trackFile != null) {
      ids.addAll(readFile(trackFile));
    }
    return ids;
  }

  /** One id per line; blank lines and everything after a '#' are ignored. */
  static Set<String> readFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--track-file " + file + " does not exist");
    } catch (MalformedInputException e) {
      throw new IllegalArgumentException(
          "--track-file " + file + " is not UTF-8 text: expected one project id per line");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--track-file " + file + " cannot be read (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + ")");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (String line : lines) {
      int comment = line.indexOf('#');
      String id = (comment >= 0 ? line.substring(0, comment) : line).strip();
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return ids;
  }
}
