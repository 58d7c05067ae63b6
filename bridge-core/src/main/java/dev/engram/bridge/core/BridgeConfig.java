package dev.engram.bridge.core;

import dev.engram.bridge.api.transport.AccessToken;
import dev.engram.bridge.api.transport.ServerUrl;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every setting of an {@link EngramBridge}. Immutable; built with {@link #builder()} or read
 * from the environment with {@link #fromEnvironment()}. Invalid values fail at {@code build()}
 * with the setting's name, the value (never a token or URL user-info) and what is expected.
 *
 * <p>{@link #toString()} shows neither the token nor URL user-info.
 */
public final class BridgeConfig {
  /** The server URL; the canonical variable. */
  public static final String ENV_URL = "ENGRAM_URL";
  /** The server URL under its old name; read when {@link #ENV_URL} is unset, with a warning. */
  public static final String ENV_URL_DEPRECATED = "ENGRAM_SERVER_URL";
  /** The bearer token sent on every call. */
  public static final String ENV_TOKEN = "ENGRAM_TOKEN";
  /** A PEM file of CA certificates to trust for TLS. */
  public static final String ENV_TLS_CA = "ENGRAM_TLS_CA";

  private static final Logger logger = LoggerFactory.getLogger(BridgeConfig.class);
  private static final int DEFAULT_CHUNK_FLOOR = 100;
  private static final Duration MIN_STABLE_PERIOD = Duration.ofSeconds(1);

  private final ServerUrl serverUrl;
  private final AccessToken token;
  private final Path trustedCertificates;
  private final Duration keepAliveTime;
  private final Duration heartbeatInterval;
  private final Duration heartbeatJitter;
  private final Duration initialSyncDelayMax;
  private final Duration reconnectSyncDelayMax;
  private final Duration syncDeadline;
  private final int syncChunkSize;
  private final int syncChunkFloor;
  private final Duration streamStablePeriod;
  private final BackoffPolicy backoff;
  private final int handlerQueueCapacity;
  private final Duration slowHandlerThreshold;
  private final int maxHandlerAttempts;
  private final Duration closeGracePeriod;
  private final int dedupWindowSize;
  private final int streamRequestWindow;
  private final Duration clockSkewWarning;

  private BridgeConfig(Builder b, ServerUrl serverUrl, int syncChunkFloor) {
    this.serverUrl = serverUrl;
    this.token = b.token;
    this.trustedCertificates = b.trustedCertificates;
    this.keepAliveTime = b.keepAliveTime;
    this.heartbeatInterval = b.heartbeatInterval;
    this.heartbeatJitter = b.heartbeatJitter;
    this.initialSyncDelayMax = b.initialSyncDelayMax;
    this.reconnectSyncDelayMax = b.reconnectSyncDelayMax;
    this.syncDeadline = b.syncDeadline;
    this.syncChunkSize = b.syncChunkSize;
    this.syncChunkFloor = syncChunkFloor;
    this.streamStablePeriod = b.streamStablePeriod;
    this.backoff = b.backoff;
    this.handlerQueueCapacity = b.handlerQueueCapacity;
    this.slowHandlerThreshold = b.slowHandlerThreshold;
    this.maxHandlerAttempts = b.maxHandlerAttempts;
    this.closeGracePeriod = b.closeGracePeriod;
    this.dedupWindowSize = b.dedupWindowSize;
    this.streamRequestWindow = b.streamRequestWindow;
    this.clockSkewWarning = b.clockSkewWarning;
  }

  /** A builder with every setting at its default and no server. */
  public static Builder builder() {
    return new Builder();
  }

  /** A configuration with every default and no server: a bridge built with it stays disabled. */
  public static BridgeConfig defaults() {
    return builder().build();
  }

  /**
   * Reads {@code ENGRAM_URL} (or, when it is unset, the deprecated {@code ENGRAM_SERVER_URL},
   * with a warning), {@code ENGRAM_TOKEN} and {@code ENGRAM_TLS_CA} from the process
   * environment; everything else takes its default. Blank variables count as unset.
   *
   * @throws IllegalArgumentException naming the variable when a value is invalid
   */
  public static BridgeConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** As {@link #fromEnvironment()}, from the given variables (for tests and launchers). */
  public static BridgeConfig fromEnvironment(Map<String, String> env) {
    return builderFromEnvironment(env).build();
  }

  /**
   * A builder holding what {@link #fromEnvironment(Map)} reads, so that other settings can be
   * added before {@code build()}.
   */
  public static Builder builderFromEnvironment(Map<String, String> env) {
    Builder builder = new Builder();
    String url = nonBlank(env.get(ENV_URL));
    String urlSource = ENV_URL;
    if (url == null) {
      url = nonBlank(env.get(ENV_URL_DEPRECATED));
      urlSource = ENV_URL_DEPRECATED;
      if (url != null) {
        logger.atWarn()
            .addKeyValue("variable", ENV_URL_DEPRECATED)
            .addKeyValue("replacement", ENV_URL)
            .log("deprecated environment variable used for the server URL; rename it");
      }
    }
    if (url != null) {
      builder.serverUrl(url);
      builder.urlSource = urlSource;
    }
    String token = nonBlank(env.get(ENV_TOKEN));
    if (token != null) {
      builder.token(AccessToken.of(token));
    }
    String ca = nonBlank(env.get(ENV_TLS_CA));
    if (ca != null) {
      try {
        builder.trustedCertificates(Path.of(ca));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(
            ENV_TLS_CA + " is " + ca + "; expected the path of a PEM file of CA certificates");
      }
    }
    return builder;
  }

  /** A builder holding these settings; each may then be set once more. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.serverUrl = serverUrl == null ? null : serverUrl.toString();
    b.parsedUrl = serverUrl;
    b.token = token;
    b.trustedCertificates = trustedCertificates;
    b.keepAliveTime = keepAliveTime;
    b.heartbeatInterval = heartbeatInterval;
    b.heartbeatJitter = heartbeatJitter;
    b.initialSyncDelayMax = initialSyncDelayMax;
    b.reconnectSyncDelayMax = reconnectSyncDelayMax;
    b.syncDeadline = syncDeadline;
    b.syncChunkSize = syncChunkSize;
    b.syncChunkFloor = syncChunkFloor;
    b.streamStablePeriod = streamStablePeriod;
    b.backoff = backoff;
    b.handlerQueueCapacity = handlerQueueCapacity;
    b.slowHandlerThreshold = slowHandlerThreshold;
    b.maxHandlerAttempts = maxHandlerAttempts;
    b.closeGracePeriod = closeGracePeriod;
    b.dedupWindowSize = dedupWindowSize;
    b.streamRequestWindow = streamRequestWindow;
    b.clockSkewWarning = clockSkewWarning;
    return b;
  }

  /** The server, or empty when none is configured (the bridge then stays disabled). */
  public Optional<ServerUrl> serverUrl() {
    return Optional.ofNullable(serverUrl);
  }

  /** The bearer token, if the server requires one. */
  public Optional<AccessToken> token() {
    return Optional.ofNullable(token);
  }

  /** A PEM file of CA certificates to trust instead of the JDK's, for TLS URLs. */
  public Optional<Path> trustedCertificates() {
    return Optional.ofNullable(trustedCertificates);
  }

  /** The transport's keepalive ping interval, or empty for none (the default). */
  public Optional<Duration> keepAliveTime() {
    return Optional.ofNullable(keepAliveTime);
  }

  /** Time between reconciliations, before jitter. Default 60 s. */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** The most a reconciliation moves either way from the interval. Default 5 s. */
  public Duration heartbeatJitter() {
    return heartbeatJitter;
  }

  /** The first reconciliation runs at a random time up to this long after start. Default 5 s. */
  public Duration initialSyncDelayMax() {
    return initialSyncDelayMax;
  }

  /**
   * After each stream the server accepts, a reconciliation runs at a random time up to this long
   * later, to catch removals missed while the stream was down. Default 5 s.
   */
  public Duration reconnectSyncDelayMax() {
    return reconnectSyncDelayMax;
  }

  /** The deadline of each reconciliation call. Default 10 s. */
  public Duration syncDeadline() {
    return syncDeadline;
  }

  /** The most ids sent in one reconciliation call. Default 10 000, the server's cap. */
  public int syncChunkSize() {
    return syncChunkSize;
  }

  /**
   * The smallest chunk tried when the server rejects a chunk as too large. Default 100 (or the
   * chunk size when that is smaller).
   */
  public int syncChunkFloor() {
    return syncChunkFloor;
  }

  /**
   * How long a stream must stay open, with no message, before it counts as accepted and the
   * backoff resets. Default 10 s; at least 1 s.
   */
  public Duration streamStablePeriod() {
    return streamStablePeriod;
  }

  /** The reconnection backoff. Default {@link BackoffPolicy#defaults()}. */
  public BackoffPolicy backoff() {
    return backoff;
  }

  /** How many removals may wait for each handler. Default 1024. */
  public int handlerQueueCapacity() {
    return handlerQueueCapacity;
  }

  /** A handler call slower than this is reported, once. Default 5 s. */
  public Duration slowHandlerThreshold() {
    return slowHandlerThreshold;
  }

  /** How many times in all a handler is called for one removal when it throws. Default 3. */
  public int maxHandlerAttempts() {
    return maxHandlerAttempts;
  }

  /** The longest {@code close()} takes, even with a blocked handler. Default 5 s. */
  public Duration closeGracePeriod() {
    return closeGracePeriod;
  }

  /** How many removals of untracked projects are remembered for deduplication. Default 1024. */
  public int dedupWindowSize() {
    return dedupWindowSize;
  }

  /**
   * How many stream events may be requested ahead of the handlers. Default 128: demand goes back
   * to the stream a quarter of the window at a time, and a window this long keeps the transport
   * busy while the engine works through the previous events, so that a burst costs a few
   * thread wake-ups rather than one per event. The bridge holds at most this many events more
   * than its handler queues.
   */
  public int streamRequestWindow() {
    return streamRequestWindow;
  }

  /** A clock difference with the server beyond this is warned about, once. Default 30 s. */
  public Duration clockSkewWarning() {
    return clockSkewWarning;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BridgeConfig)) {
      return false;
    }
    BridgeConfig that = (BridgeConfig) o;
    return Objects.equals(serverUrl, that.serverUrl)
        && Objects.equals(token, that.token)
        && Objects.equals(trustedCertificates, that.trustedCertificates)
        && Objects.equals(keepAliveTime, that.keepAliveTime)
        && heartbeatInterval.equals(that.heartbeatInterval)
        && heartbeatJitter.equals(that.heartbeatJitter)
        && initialSyncDelayMax.equals(that.initialSyncDelayMax)
        && reconnectSyncDelayMax.equals(that.reconnectSyncDelayMax)
        && syncDeadline.equals(that.syncDeadline)
        && syncChunkSize == that.syncChunkSize
        && syncChunkFloor == that.syncChunkFloor
        && streamStablePeriod.equals(that.streamStablePeriod)
        && backoff.equals(that.backoff)
        && handlerQueueCapacity == that.handlerQueueCapacity
        && slowHandlerThreshold.equals(that.slowHandlerThreshold)
        && maxHandlerAttempts == that.maxHandlerAttempts
        && closeGracePeriod.equals(that.closeGracePeriod)
        && dedupWindowSize == that.dedupWindowSize
        && streamRequestWindow == that.streamRequestWindow
        && clockSkewWarning.equals(that.clockSkewWarning);
  }

  @Override
  public int hashCode() {
    return Objects.hash(serverUrl, trustedCertificates, heartbeatInterval, syncChunkSize,
        backoff, handlerQueueCapacity, dedupWindowSize, streamRequestWindow);
  }

  @Override
  public String toString() {
    return "BridgeConfig{serverUrl=" + (serverUrl == null ? "none" : serverUrl)
        + ", token=" + (token == null ? "none" : "set")
        + ", trustedCertificates=" + (trustedCertificates == null ? "none" : trustedCertificates)
        + ", keepAliveTime=" + (keepAliveTime == null ? "off" : keepAliveTime)
        + ", heartbeatInterval=" + heartbeatInterval
        + ", heartbeatJitter=" + heartbeatJitter
        + ", initialSyncDelayMax=" + initialSyncDelayMax
        + ", reconnectSyncDelayMax=" + reconnectSyncDelayMax
        + ", syncDeadline=" + syncDeadline
        + ", syncChunkSize=" + syncChunkSize
        + ", syncChunkFloor=" + syncChunkFloor
        + ", streamStablePeriod=" + streamStablePeriod
        + ", backoff=" + backoff
        + ", handlerQueueCapacity=" + handlerQueueCapacity
        + ", slowHandlerThreshold=" + slowHandlerThreshold
        + ", maxHandlerAttempts=" + maxHandlerAttempts
        + ", closeGracePeriod=" + closeGracePeriod
        + ", dedupWindowSize=" + dedupWindowSize
        + ", streamRequestWindow=" + streamRequestWindow
        + ", clockSkewWarning=" + clockSkewWarning + "}";
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /**
   * Builds a {@link BridgeConfig}. Each option may be set once; values are checked by {@link
   * #build()}.
   */
  public static final class Builder {
    private final Set<String> given = new HashSet<>();
    private String serverUrl;
    private ServerUrl parsedUrl;
    private String urlSource = "serverUrl";
    private AccessToken token;
    private Path trustedCertificates;
    private Duration keepAliveTime;
    private Duration heartbeatInterval = Duration.ofSeconds(60);
    private Duration heartbeatJitter = Duration.ofSeconds(5);
    private Duration initialSyncDelayMax = Duration.ofSeconds(5);
    private Duration reconnectSyncDelayMax = Duration.ofSeconds(5);
    private Duration syncDeadline = Duration.ofSeconds(10);
    private int syncChunkSize = 10_000;
    private Integer syncChunkFloor;
    private Duration streamStablePeriod = Duration.ofSeconds(10);
    private BackoffPolicy backoff = BackoffPolicy.defaults();
    private int handlerQueueCapacity = 1024;
    private Duration slowHandlerThreshold = Duration.ofSeconds(5);
    private int maxHandlerAttempts = 3;
    private Duration closeGracePeriod = Duration.ofSeconds(5);
    private int dedupWindowSize = 1024;
    private int streamRequestWindow = 128;
    private Duration clockSkewWarning = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * The server, as {@code scheme://host[:port]}: {@code https}/{@code grpcs} for TLS, {@code
     * http}/{@code grpc} for plaintext. Parsed by {@link #build()}.
     */
    public Builder serverUrl(String url) {
      once("serverUrl");
      this.serverUrl = Objects.requireNonNull(url, "url");
      this.parsedUrl = null;
      return this;
    }

    public Builder token(AccessToken token) {
      once("token");
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    public Builder trustedCertificates(Path pemFile) {
      once("trustedCertificates");
      this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    public Builder keepAliveTime(Duration interval) {
      once("keepAliveTime");
      this.keepAliveTime = Objects.requireNonNull(interval, "interval");
      return this;
    }

    public Builder heartbeatInterval(Duration interval) {
      once("heartbeatInterval");
      this.heartbeatInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    public Builder heartbeatJitter(Duration jitter) {
      once("heartbeatJitter");
      this.heartbeatJitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    public Builder initialSyncDelayMax(Duration max) {
      once("initialSyncDelayMax");
      this.initialSyncDelayMax = Objects.requireNonNull(max, "max");
      return this;
    }

    public Builder reconnectSyncDelayMax(Duration max) {
      once("reconnectSyncDelayMax");
      this.reconnectSyncDelayMax = Objects.requireNonNull(max, "max");
      return this;
    }

    public Builder syncDeadline(Duration deadline) {
      once("syncDeadline");
      this.syncDeadline = Objects.requireNonNull(deadline, "deadline");
      return this;
    }

    public Builder syncChunkSize(int ids) {
      once("syncChunkSize");
      this.syncChunkSize = ids;
      return this;
    }

    public Builder syncChunkFloor(int ids) {
      once("syncChunkFloor");
      this.syncChunkFloor = ids;
      return this;
    }

    public Builder streamStablePeriod(Duration period) {
      once("streamStablePeriod");
      this.streamStablePeriod = Objects.requireNonNull(period, "period");
      return this;
    }

    public Builder backoff(BackoffPolicy policy) {
      once("backoff");
      this.backoff = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder handlerQueueCapacity(int removals) {
      once("handlerQueueCapacity");
      this.handlerQueueCapacity = removals;
      return this;
    }

    public Builder slowHandlerThreshold(Duration threshold) {
      once("slowHandlerThreshold");
      this.slowHandlerThreshold = Objects.requireNonNull(threshold, "threshold");
      return this;
    }

    public Builder maxHandlerAttempts(int attempts) {
      once("maxHandlerAttempts");
      this.maxHandlerAttempts = attempts;
      return this;
    }

    public Builder closeGracePeriod(Duration grace) {
      once("closeGracePeriod");
      this.closeGracePeriod = Objects.requireNonNull(grace, "grace");
      return this;
    }

    public Builder dedupWindowSize(int removals) {
      once("dedupWindowSize");
      this.dedupWindowSize = removals;
      return this;
    }

    public Builder streamRequestWindow(int events) {
      once("streamRequestWindow");
      this.streamRequestWindow = events;
      return this;
    }

    public Builder clockSkewWarning(Duration threshold) {
      once("clockSkewWarning");
      this.clockSkewWarning = Objects.requireNonNull(threshold, "threshold");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first setting whose value cannot work, with
     *     the value (redacted) and what is expected
     */
    public BridgeConfig build() {
      ServerUrl url = parsedUrl;
      if (url == null && serverUrl != null) {
        try {
          url = ServerUrl.parse(serverUrl);
        } catch (IllegalArgumentException e) {
          // ServerUrl's message already shows the URL without user-info.
          throw new IllegalArgumentException(
              urlSource + " is invalid: " + e.getMessage(), e);
        }
      }
      optionalPositive("keepAliveTime", keepAliveTime);
      positive("heartbeatInterval", heartbeatInterval);
      if (heartbeatJitter.isNegative() || heartbeatJitter.compareTo(heartbeatInterval) >= 0) {
        throw invalid("heartbeatJitter", format(heartbeatJitter),
            "a duration from 0 to below heartbeatInterval (" + format(heartbeatInterval) + ")");
      }
      notNegative("initialSyncDelayMax", initialSyncDelayMax);
      notNegative("reconnectSyncDelayMax", reconnectSyncDelayMax);
      positive("syncDeadline", syncDeadline);
      atLeastOne("syncChunkSize", syncChunkSize);
      int floor = syncChunkFloor == null
          ? Math.min(DEFAULT_CHUNK_FLOOR, syncChunkSize) : syncChunkFloor;
      if (floor < 1 || floor > syncChunkSize) {
        throw invalid("syncChunkFloor", String.valueOf(floor),
            "a number of ids from 1 to syncChunkSize (" + syncChunkSize + ")");
      }
      if (streamStablePeriod.compareTo(MIN_STABLE_PERIOD) < 0) {
        throw invalid("streamStablePeriod", format(streamStablePeriod),
            "at least 1s: a stream that ends sooner having delivered nothing is a failure");
      }
      atLeastOne("handlerQueueCapacity", handlerQueueCapacity);
      positive("slowHandlerThreshold", slowHandlerThreshold);
      atLeastOne("maxHandlerAttempts", maxHandlerAttempts);
      positive("closeGracePeriod", closeGracePeriod);
      atLeastOne("dedupWindowSize", dedupWindowSize);
      atLeastOne("streamRequestWindow", streamRequestWindow);
      positive("clockSkewWarning", clockSkewWarning);
      return new BridgeConfig(this, url, floor);
    }

    private void once(String option) {
      if (!given.add(option)) {
        throw new IllegalStateException(
            "BridgeConfig option " + option + " was already set on this builder");
      }
    }

    private static void positive(String setting, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw invalid(setting, format(value), "a positive duration");
      }
    }

    private static void optionalPositive(String setting, Duration value) {
      if (value != null) {
        positive(setting, value);
      }
    }

    private static void notNegative(String setting, Duration value) {
      if (value.isNegative()) {
        throw invalid(setting, format(value), "a duration of 0 or more");
      }
    }

    private static void atLeastOne(String setting, int value) {
      if (value < 1) {
        throw invalid(setting, String.valueOf(value), "1 or more");
      }
    }

    private static IllegalArgumentException invalid(
        String setting, String value, String expected) {
      return new IllegalArgumentException(
          setting + " is " + value + "; expected " + expected + ". Fix it with "
              + "BridgeConfig.Builder." + setting + "(...)");
    }

    private static String format(Duration d) {
      if (d.getNano() == 0) {
        return d.getSeconds() + "s";
      }
      return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toNanos() + "ns";
    }
  }
}
