/**
 * The engram bridge engine's public face: {@link dev.engram.bridge.core.EngramBridge}, its
 * {@link dev.engram.bridge.core.BridgeConfig}, the reconnection {@link
 * dev.engram.bridge.core.BackoffPolicy}, and {@link dev.engram.bridge.core.EngramBridgeModule}
 * for Guice users. Everything in {@code dev.engram.bridge.core.internal} is implementation.
 */
package dev.engram.bridge.core;
