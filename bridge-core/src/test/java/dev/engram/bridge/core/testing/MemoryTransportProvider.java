package dev.engram.bridge.core.testing;

import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.api.transport.TransportProvider;
import dev.engram.bridge.api.transport.TransportSettings;
import java.time.Clock;
import java.util.Set;

/**
 * A transport provider for the {@code memory} scheme, listed in this module's test services
 * file, so that tests can check how the bridge finds and configures a transport.
 */
public final class MemoryTransportProvider implements TransportProvider {
  private static volatile TransportSettings lastSettings;
  private static volatile FakeTransport lastTransport;

  @Override
  public Set<String> schemes() {
    return Set.of("memory");
  }

  @Override
  public Transport create(TransportSettings settings) {
    lastSettings = settings;
    lastTransport = new FakeTransport(Clock.systemUTC());
    return lastTransport;
  }

  public static TransportSettings lastSettings() {
    return lastSettings;
  }

  public static FakeTransport lastTransport() {
    return lastTransport;
  }
}
