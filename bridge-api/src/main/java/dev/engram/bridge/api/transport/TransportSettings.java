package dev.engram.bridge.api.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link TransportProvider} needs to build a {@link Transport}. Immutable; built with
 * {@link #builder(ServerUrl)}. {@link #toString()} never shows the token.
 */
public final class TransportSettings {
  /** The largest inbound message accepted unless configured otherwise: 4 MiB. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  private final ServerUrl url;
  private final AccessToken token;
  private final Path trustedCertificates;
  private final Duration keepAliveTime;
  private final int maxInboundMessageBytes;

  private TransportSettings(Builder builder) {
    this.url = builder.url;
    this.token = builder.token;
    this.trustedCertificates = builder.trustedCertificates;
    this.keepAliveTime = builder.keepAliveTime;
    this.maxInboundMessageBytes = builder.maxInboundMessageBytes;
  }

  public static Builder builder(ServerUrl url) {
    return new Builder(url);
  }

  /** The server to talk to. */
  public ServerUrl url() {
    return url;
  }

  /** The bearer token to send on every call, if the server requires one. */
  public Optional<AccessToken> token() {
    return Optional.ofNullable(token);
  }

  /**
   * A PEM file of CA certificates to trust instead of the JDK's trust store, for {@code https}
   * and {@code grpcs} URLs.
   */
  public Optional<Path> trustedCertificates() {
    return Optional.ofNullable(trustedCertificates);
  }

  /**
   * How often to ping an idle connection, or empty for no keepalive pings (the default). Servers
   * commonly reject pings more frequent than every 5 minutes.
   */
  public Optional<Duration> keepAliveTime() {
    return Optional.ofNullable(keepAliveTime);
  }

  /** The largest message the transport accepts from the server. */
  public int maxInboundMessageBytes() {
    return maxInboundMessageBytes;
  }

  @Override
  public String toString() {
    return "TransportSettings{url=" + url
        + ", token=" + (token == null ? "none" : "set")
        + ", trustedCertificates=" + trustedCertificates
        + ", keepAliveTime=" + (keepAliveTime == null ? "off" : keepAliveTime)
        + ", maxInboundMessageBytes=" + maxInboundMessageBytes + "}";
  }

  /** Builds {@link TransportSettings}. Each option may be set once. */
  public static final class Builder {
    private final ServerUrl url;
    private AccessToken token;
    private Path trustedCertificates;
    private Duration keepAliveTime;
    private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private boolean maxInboundSet;

    private Builder(ServerUrl url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    public Builder token(AccessToken token) {
      checkUnset(this.token, "token");
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    public Builder trustedCertificates(Path pemFile) {
      checkUnset(this.trustedCertificates, "trustedCertificates");
      this.trustedCertificates = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** Enables keepalive pings at this interval; at least 5 minutes is recommended. */
    public Builder keepAliveTime(Duration interval) {
      checkUnset(this.keepAliveTime, "keepAliveTime");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException(
            "keepAliveTime is " + interval + "; expected a positive duration (or leave it unset "
                + "for no keepalive pings)");
      }
      this.keepAliveTime = interval;
      return this;
    }

    public Builder maxInboundMessageBytes(int bytes) {
      checkUnset(maxInboundSet ? maxInboundMessageBytes : null, "maxInboundMessageBytes");
      if (bytes < 1) {
        throw new IllegalArgumentException(
            "maxInboundMessageBytes is " + bytes + "; expected a positive number of bytes");
      }
      this.maxInboundMessageBytes = bytes;
      this.maxInboundSet = true;
      return this;
    }

    public TransportSettings build() {
      return new TransportSettings(this);
    }

    private static void checkUnset(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set on this builder");
      }
    }
  }
}
