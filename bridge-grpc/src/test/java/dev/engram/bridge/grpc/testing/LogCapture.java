package dev.engram.bridge.grpc.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Every log line of this test JVM, kept in memory: SLF4J (through {@link CapturingLogProvider},
 * the only SLF4J provider on this module's test classpath) and java.util.logging, where grpc-java
 * logs. Lines are kept at every level, so a secret in a DEBUG line is found as surely as one in a
 * WARN line, and passing tests print nothing (only errors are echoed to the console).
 */
public final class LogCapture {
  /** One captured line. {@code text} holds the message, key-values and any stack trace. */
  public record Line(String source, String logger, String level, String message,
      Map<String, String> keyValues, String text) {}

  private static final int MAX_LINES = 200_000;
  private static final List<Line> lines = new ArrayList<>();
  // JUL holds loggers weakly; keeping ours keeps its level and handler.
  private static final Logger grpcJul = Logger.getLogger("io.grpc");

  static {
    Handler handler = new Handler() {
      private final SimpleFormatter formatter = new SimpleFormatter();

      @Override
      public void publish(LogRecord record) {
        String message = formatter.formatMessage(record);
        add(new Line("jul", record.getLoggerName(), record.getLevel().getName(), message,
            Map.of(), message + stackTrace(record.getThrown())));
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
          System.err.println("[jul " + record.getLevel() + "] " + record.getLoggerName() + ": "
              + message);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    handler.setLevel(Level.ALL);
    grpcJul.setLevel(Level.ALL);
    grpcJul.setUseParentHandlers(false);
    grpcJul.addHandler(handler);
  }

  private LogCapture() {}

  /** Makes sure the java.util.logging side is installed; SLF4J's is, by the provider. */
  public static void install() {
    // The static initializer does the work.
  }

  static void add(Line line) {
    synchronized (lines) {
      if (lines.size() < MAX_LINES) {
        lines.add(line);
      }
    }
  }

  /** A position to read from later with {@link #since(int)}. */
  public static int mark() {
    synchronized (lines) {
      return lines.size();
    }
  }

  public static List<Line> since(int mark) {
    synchronized (lines) {
      return List.copyOf(lines.subList(Math.min(mark, lines.size()), lines.size()));
    }
  }

  public static List<Line> all() {
    return since(0);
  }

  public static List<Line> matching(int mark, Predicate<Line> filter) {
    return since(mark).stream().filter(filter).toList();
  }

  /** Whether SLF4J logs through the capturing provider (if not, capture would be blind). */
  public static boolean slf4jIsCaptured() {
    return org.slf4j.LoggerFactory.getILoggerFactory() instanceof CapturingLogProvider.Factory;
  }

  static String stackTrace(Throwable thrown) {
    if (thrown == null) {
      return "";
    }
    StringWriter out = new StringWriter();
    thrown.printStackTrace(new PrintWriter(out));
    return "\n" + out;
  }
}
