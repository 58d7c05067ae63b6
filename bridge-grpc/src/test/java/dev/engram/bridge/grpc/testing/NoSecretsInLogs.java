package dev.engram.bridge.grpc.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when any line logged while it ran (SLF4J at every level of our loggers, grpc's
 * java.util.logging) holds one of {@link Secrets}. Register it on every transport test class:
 * {@code @ExtendWith(NoSecretsInLogs.class)}.
 */
public final class NoSecretsInLogs implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(NoSecretsInLogs.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    LogCapture.install();
    if (!LogCapture.slf4jIsCaptured()) {
      throw new IllegalStateException(
          "SLF4J does not log through CapturingLogProvider; is another provider on the test "
              + "classpath?");
    }
    context.getStore(NAMESPACE).put("mark", LogCapture.mark());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    int mark = context.getStore(NAMESPACE).get("mark", Integer.class);
    List<LogCapture.Line> leaks =
        LogCapture.matching(mark, line -> Secrets.leakIn(line.text()));
    if (!leaks.isEmpty()) {
      StringBuilder report = new StringBuilder("a secret appeared in the log, in lines of:");
      for (LogCapture.Line line : leaks) {
        report.append("\n  ").append(line.level()).append(' ').append(line.logger());
      }
      throw new AssertionError(report.toString());
    }
  }
}
