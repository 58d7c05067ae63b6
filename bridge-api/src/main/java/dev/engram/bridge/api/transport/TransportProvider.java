package dev.engram.bridge.api.transport;

import dev.engram.bridge.api.Discoverable;
import java.util.Set;

/**
 * Creates {@link Transport}s for some URL schemes. The engine loads every provider with {@link
 * dev.engram.bridge.api.ProviderLoader} and uses the first available one, by priority, that
 * supports the server URL's scheme.
 *
 * <h2>Registration</h2>
 *
 * List the class in {@code META-INF/services/dev.engram.bridge.api.transport.TransportProvider};
 * it needs a public no-argument constructor. {@code bridge-grpc} registers one for {@code http},
 * {@code https}, {@code grpc}, {@code grpcs} and {@code inprocess}.
 */
public interface TransportProvider extends Discoverable {

  /** The URL schemes this provider handles, in lower case. */
  Set<String> schemes();

  /**
   * Builds a transport. Nothing is connected yet; connecting is lazy.
   *
   * @throws IllegalArgumentException if the settings cannot work (for example a CA file that
   *     cannot be read), with a message that says what to fix and holds no secret
   */
  Transport create(TransportSettings settings);
}
