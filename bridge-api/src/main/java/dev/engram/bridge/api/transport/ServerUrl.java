package dev.engram.bridge.api.transport;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The address of an engram server, parsed once and safe to print: user-info in the URL (which
 * may hold credentials) is dropped on parsing and never shown.
 *
 * <p>Schemes {@code https} and {@code grpcs} mean TLS, default port {@value #DEFAULT_TLS_PORT};
 * every other scheme ({@code http}, {@code grpc}, and transport-specific ones such as the
 * testkit's {@code inprocess}) means plaintext, default port {@value #DEFAULT_PLAINTEXT_PORT}.
 * Which schemes are actually supported is up to the transports on the classpath.
 */
public final class ServerUrl {
  public static final int DEFAULT_TLS_PORT = 443;
  public static final int DEFAULT_PLAINTEXT_PORT = 37777;

  private static final Set<String> TLS_SCHEMES = Set.of("https", "grpcs");
  private static final String EXPECTED =
      "expected scheme://host[:port], for example https://engram.example.com or "
          + "http://127.0.0.1:37777";

  private final String scheme;
  private final String host;
  private final int port;
  private final boolean portExplicit;
  private final String path;

  private ServerUrl(String scheme, String host, int port, boolean portExplicit, String path) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.portExplicit = portExplicit;
    this.path = path;
  }

  /**
   * Parses a server URL.
   *
   * @throws IllegalArgumentException if it does not parse, has no scheme or no host; the message
   *     shows the URL without user-info (or a placeholder when it cannot be parsed)
   */
  public static ServerUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("the server URL is empty; " + EXPECTED);
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      // The exception's own message repeats the input, user-info and all: do not pass it on.
      throw new IllegalArgumentException(
          "the server URL <unparseable URL> is not a valid URL (error at index " + e.getIndex()
              + "); " + EXPECTED);
    }
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException(
          "the server URL " + redact(url.strip()) + " has no scheme; " + EXPECTED);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(
          "the server URL " + redact(url.strip()) + " has no host; " + EXPECTED);
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    boolean tls = TLS_SCHEMES.contains(scheme);
    int port = uri.getPort() >= 0 ? uri.getPort() : tls ? DEFAULT_TLS_PORT : DEFAULT_PLAINTEXT_PORT;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return new ServerUrl(scheme, uri.getHost(), port, uri.getPort() >= 0, path);
  }

  /** The scheme, in lower case. */
  public String scheme() {
    return scheme;
  }

  /** The host name or address literal (IPv6 in brackets, as in the URL). */
  public String host() {
    return host;
  }

  /** The port: the URL's own, else the scheme's default. */
  public int port() {
    return port;
  }

  /** Whether the URL named its port. */
  public boolean isPortExplicit() {
    return portExplicit;
  }

  /** Whether the scheme calls for TLS ({@code https} or {@code grpcs}). */
  public boolean usesTls() {
    return TLS_SCHEMES.contains(scheme);
  }

  /**
   * Whether the host is a loopback address or {@code localhost}. Decided from the literal, with
   * no name lookup.
   */
  public boolean isLoopback() {
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (bare.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!bare.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      return false;
    }
    try {
      // A literal address (digits, dots, colons) never triggers a lookup.
      return InetAddress.getByName(bare).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** {@code host:port}, as a gRPC target authority. */
  public String authority() {
    return host + ":" + port;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ServerUrl)) {
      return false;
    }
    ServerUrl that = (ServerUrl) o;
    return port == that.port
        && portExplicit == that.portExplicit
        && scheme.equals(that.scheme)
        && host.equals(that.host)
        && path.equals(that.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scheme, host, port, portExplicit, path);
  }

  /** The URL without user-info, safe for logs and messages. */
  @Override
  public String toString() {
    return scheme + "://" + host + (portExplicit ? ":" + port : "") + path;
  }

  /**
   * The URL as given, with everything that could be user-info masked: whatever stands between
   * the scheme and the last '@'. Over-masking a path that holds '@' is the safe mistake.
   */
  static String redact(String url) {
    int at = url.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    int schemeEnd = url.indexOf("://");
    int keep = schemeEnd >= 0 && schemeEnd < at ? schemeEnd + 3 : 0;
    return url.substring(0, keep) + "***" + url.substring(at);
  }
}
