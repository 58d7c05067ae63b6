package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.ProjectTracker;
import dev.engram.bridge.api.ProviderLoader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What {@link java.util.ServiceLoader} found for the bridge's SPIs, in {@link ProviderLoader}'s
 * order (priority, then class name). Not part of the public API.
 */
public final class DiscoveredServices {
  private static final DiscoveredServices NONE =
      new DiscoveredServices(List.of(), List.of(), List.of());

  private final List<ProjectRemovalAware> handlers;
  private final List<ProjectTracker> trackers;
  private final List<BridgeListener> listeners;

  private DiscoveredServices(
      List<ProjectRemovalAware> handlers,
      List<ProjectTracker> trackers,
      List<BridgeListener> listeners) {
    this.handlers = List.copyOf(handlers);
    this.trackers = List.copyOf(trackers);
    this.listeners = List.copyOf(listeners);
  }

  /** Loads every available handler, tracker and listener listed in a services file. */
  public static DiscoveredServices load() {
    return new DiscoveredServices(
        ProviderLoader.loadAll(ProjectRemovalAware.class),
        ProviderLoader.loadAll(ProjectTracker.class),
        ProviderLoader.loadAll(BridgeListener.class));
  }

  /** Nothing discovered: discovery is off. */
  public static DiscoveredServices none() {
    return NONE;
  }

  public List<ProjectRemovalAware> handlers() {
    return handlers;
  }

  public List<ProjectTracker> trackers() {
    return trackers;
  }

  public List<BridgeListener> listeners() {
    return listeners;
  }

  /**
   * The documented order: what was registered explicitly, in registration order, then what was
   * discovered, in discovery order. {@code all} may already hold the discovered instances (as a
   * Guice multibinding does); they are recognised by identity and moved to the end.
   */
  public static <T> List<T> inOrder(Collection<? extends T> all, List<? extends T> discovered) {
    Set<Object> found = Collections.newSetFromMap(new IdentityHashMap<>());
    found.addAll(discovered);
    List<T> ordered = new ArrayList<>();
    for (T candidate : all) {
      if (!found.contains(candidate)) {
        ordered.add(candidate);
      }
    }
    ordered.addAll(discovered);
    return List.copyOf(ordered);
  }
}
