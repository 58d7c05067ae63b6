package dev.engram.bridge.grpc;

import dev.engram.bridge.api.transport.ServerUrl;
import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportProvider;
import dev.engram.bridge.api.transport.TransportSettings;
import java.util.Set;

/**
 * Provides {@link GrpcTransport}s for {@code http} and {@code grpc} (plaintext), {@code https}
 * and {@code grpcs} (TLS) and {@code inprocess} (a gRPC in-process server named by the URL's
 * host, for tests) URLs.
 *
 * <p>Registered in {@code META-INF/services/dev.engram.bridge.api.transport.TransportProvider}, so
 * having {@code dev.engram.bridge:bridge-grpc} on the classpath is enough. Always available, at
 * the default priority.
 */
public final class GrpcTransportProvider implements TransportProvider {
  /** The URL schemes this provider handles. */
  public static final Set<String> SCHEMES = Set.of("http", "grpc", "https", "grpcs", "inprocess");

  /** For {@link java.util.ServiceLoader}. */
  public GrpcTransportProvider() {}

  @Override
  public Set<String> schemes() {
    return SCHEMES;
  }

  /**
   * {@inheritDoc}
   *
   * @see GrpcTransport#create(TransportSettings)
   */
  @Override
  public Transport create(TransportSettings settings) {
    return GrpcTransport.create(settings);
  }

  static void checkSupported(ServerUrl url) {
    if (!SCHEMES.contains(url.scheme())) {
      throw new IllegalArgumentException(
          "the server URL " + url + " has scheme '" + url.scheme() + "', which bridge-grpc does "
              + "not support; expected http:// or grpc:// (plaintext), https:// or grpcs:// "
              + "(TLS), or inprocess:// (tests). Fix the scheme in ENGRAM_URL");
    }
  }

  @Override
  public String toString() {
    return "GrpcTransportProvider" + SCHEMES;
  }
}
