package dev.engram.bridge.api;

/**
 * Optional capabilities of a class found through {@link java.util.ServiceLoader}; see {@link
 * ProviderLoader}. Any SPI implementation may implement it; those that do not count as available
 * with priority {@value #DEFAULT_PRIORITY}.
 */
public interface Discoverable {
  /** The priority of implementations that do not choose one. */
  int DEFAULT_PRIORITY = 5;

  /**
   * Whether this implementation can work in this process (for example, whether a library it
   * needs is present). Unavailable implementations are skipped silently.
   */
  default boolean isAvailable() {
    return true;
  }

  /** Higher runs or is chosen first. By convention 0 to 10. */
  default int priority() {
    return DEFAULT_PRIORITY;
  }
}
