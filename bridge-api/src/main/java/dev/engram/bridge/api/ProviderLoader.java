package dev.engram.bridge.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Predicate;

/**
 * The one way engram-bridge loads implementations of its SPIs with {@link ServiceLoader}.
 *
 * <p>It looks in the SPI's own class loader and then in the thread's context class loader (so
 * that both plain classpaths and containers with several loaders work), keeps one instance per
 * class, drops those that say they are not {@linkplain Discoverable#isAvailable() available},
 * and orders the rest by {@linkplain Discoverable#priority() priority}, highest first, then by
 * class name, so that the order does not depend on the classpath.
 *
 * <p>A listed class that cannot be loaded or whose constructor throws is not skipped: loading
 * fails with a {@link ServiceConfigurationError} that names it, since a silently missing handler
 * would lose removals.
 */
public final class ProviderLoader {

  private ProviderLoader() {}

  /** Every available implementation of {@code spi}, in order; empty when there is none. */
  public static <T> List<T> loadAll(Class<T> spi) {
    return loadAll(spi, spi.getClassLoader(), Thread.currentThread().getContextClassLoader());
  }

  /** As {@link #loadAll(Class)}, from the given class loaders (nulls are skipped). */
  public static <T> List<T> loadAll(Class<T> spi, ClassLoader... loaders) {
    Map<String, T> byClass = new LinkedHashMap<>();
    for (ClassLoader loader : loaders) {
      if (loader == null) {
        continue;
      }
      for (ServiceLoader.Provider<T> provider : ServiceLoader.load(spi, loader).stream()
          .toList()) {
        String className = provider.type().getName();
        if (!byClass.containsKey(className)) {
          byClass.put(className, instantiate(spi, provider));
        }
      }
    }
    List<T> available = new ArrayList<>();
    for (T candidate : byClass.values()) {
      if (isAvailable(candidate)) {
        available.add(candidate);
      }
    }
    available.sort(
        Comparator.comparingInt(ProviderLoader::priority).reversed()
            .thenComparing(candidate -> candidate.getClass().getName()));
    return List.copyOf(available);
  }

  /**
   * The first available implementation of {@code spi} that {@code accepts}.
   *
   * @param needed what the caller needs it for, for the error (for example "the URL scheme
   *     https")
   * @param artifact the Maven coordinates of an artifact that provides one, for the error
   * @throws IllegalStateException if there is none, naming the artifact to add
   */
  public static <T> T loadFirst(
      Class<T> spi, Predicate<? super T> accepts, String needed, String artifact) {
    List<T> all = loadAll(spi);
    for (T candidate : all) {
      if (accepts.test(candidate)) {
        return candidate;
      }
    }
    if (all.isEmpty()) {
      throw new IllegalStateException(
          "No " + spi.getName() + " found for " + needed + " (found none). Add " + artifact
              + " to the classpath, or register an implementation in META-INF/services/"
              + spi.getName());
    }
    throw new IllegalStateException(
        "No " + spi.getName() + " supports " + needed + " (found " + describe(all)
            + "). Check the setting; if another artifact provides it, add it to the classpath "
            + "or register an implementation in META-INF/services/" + spi.getName());
  }

  private static <T> T instantiate(Class<T> spi, ServiceLoader.Provider<T> provider) {
    try {
      return provider.get();
    } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
      Throwable cause = e instanceof ServiceConfigurationError && e.getCause() != null
          ? e.getCause() : e;
      throw new ServiceConfigurationError(
          spi.getName() + ": " + provider.type().getName()
              + " is listed in META-INF/services but could not be created: " + cause
              + ". Fix its public no-argument constructor or remove it from the services file",
          cause);
    }
  }

  private static boolean isAvailable(Object candidate) {
    return !(candidate instanceof Discoverable) || ((Discoverable) candidate).isAvailable();
  }

  private static int priority(Object candidate) {
    return candidate instanceof Discoverable
        ? ((Discoverable) candidate).priority()
        : Discoverable.DEFAULT_PRIORITY;
  }

  private static String describe(List<?> all) {
    if (all.isEmpty()) {
      return "none";
    }
    List<String> names = new ArrayList<>();
    for (Object candidate : all) {
      names.add(candidate.getClass().getName());
    }
    return String.join(", ", names);
  }
}
