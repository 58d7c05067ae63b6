package dev.engram.bridge.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures what the bridge logs (slf4j-simple writes to standard error) during each test. A
 * passing test prints nothing; a failing one gets its log printed. Tests read the lines with
 * {@link #lines()} to check what was logged, and how often.
 *
 * <p>Registered for every test through JUnit's extension auto-detection.
 */
public final class QuietLogs implements BeforeEachCallback, AfterEachCallback {
  private static final Object LOCK = new Object();
  private static ByteArrayOutputStream buffer;
  private static PrintStream original;

  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (LOCK) {
      original = System.err;
      buffer = new ByteArrayOutputStream();
      System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    synchronized (LOCK) {
      System.err.flush();
      System.setErr(original);
      if (context.getExecutionException().isPresent()) {
        original.println("---- log of " + context.getDisplayName() + " ----");
        original.print(buffer.toString(StandardCharsets.UTF_8));
      }
      buffer = null;
    }
  }

  /** Every line logged so far in this test. */
  public static List<String> lines() {
    synchronized (LOCK) {
      if (buffer == null) {
        return List.of();
      }
      System.err.flush();
      return List.of(buffer.toString(StandardCharsets.UTF_8).split("\n"));
    }
  }

  /** The lines that contain every one of {@code fragments}. */
  public static List<String> linesWith(String... fragments) {
    List<String> matching = new ArrayList<>();
    for (String line : lines()) {
      boolean all = true;
      for (String fragment : fragments) {
        all &= line.contains(fragment);
      }
      if (all) {
        matching.add(line);
      }
    }
    return matching;
  }
}
