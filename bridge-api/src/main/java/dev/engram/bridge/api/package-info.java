/**
 * The public contract of engram-bridge: what a daemon implements ({@link
 * dev.engram.bridge.api.ProjectRemovalAware}, {@link dev.engram.bridge.api.ProjectTracker},
 * {@link dev.engram.bridge.api.BridgeListener}) and the values the bridge hands to it.
 *
 * <p>Everything here depends on the JDK only. Implementations are registered either explicitly
 * (builder or Guice module of {@code bridge-core}) or through {@link java.util.ServiceLoader}
 * services files, loaded with {@link dev.engram.bridge.api.ProviderLoader}.
 */
package dev.engram.bridge.api;
