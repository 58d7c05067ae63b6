package dev.engram.bridge.grpc.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J provider for this module's tests that records every line in {@link LogCapture}.
 *
 * <p>Our own loggers ({@code dev.engram}) are enabled at every level, third-party ones (shaded
 * Netty) from DEBUG, except gRPC's HTTP/2 frame loggers: at DEBUG they print every header of
 * every call, the {@code authorization} header included. That is grpc-java's behaviour, which no
 * caller can change; {@code GrpcTransport}'s documentation warns against enabling them.
 */
public final class CapturingLogProvider implements SLF4JServiceProvider {
  private final Factory factory = new Factory();
  private final BasicMarkerFactory markers = new BasicMarkerFactory();
  private final BasicMDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  /** Hands out capturing loggers. */
  public static final class Factory implements ILoggerFactory {
    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, CapturingLogger::new);
    }
  }

  static final class CapturingLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    /** gRPC's HTTP/2 frame loggers, which print header values at DEBUG. */
    static final java.util.Set<String> FRAME_LOGGERS = java.util.Set.of(
        "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler",
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
    private final Level threshold;

    CapturingLogger(String name) {
      this.name = name;
      this.threshold = name.startsWith("dev.engram") ? Level.TRACE
          : FRAME_LOGGERS.contains(name) ? Level.INFO
          : Level.DEBUG;
    }

    private boolean enabled(Level level) {
      return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
      return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
      return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      record(level, MessageFormatter.basicArrayFormat(pattern, arguments), Map.of(), throwable);
    }

    @Override
    public void log(LoggingEvent event) {
      if (!enabled(event.getLevel())) {
        return;
      }
      Map<String, String> keyValues = new LinkedHashMap<>();
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair pair : event.getKeyValuePairs()) {
          keyValues.put(pair.key, String.valueOf(pair.value));
        }
      }
      String message =
          MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray());
      record(event.getLevel(), message, keyValues, event.getThrowable());
    }

    private void record(
        Level level, String message, Map<String, String> keyValues, Throwable throwable) {
      String text = message + " " + keyValues + LogCapture.stackTrace(throwable);
      LogCapture.add(
          new LogCapture.Line("slf4j", name, level.name(), message, Map.copyOf(keyValues), text));
      if (level == Level.ERROR) {
        System.err.println("[" + level + "] " + name + ": " + text);
      }
    }
  }
}
