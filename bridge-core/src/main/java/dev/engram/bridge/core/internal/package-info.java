/**
 * The engine behind {@code EngramBridge}; not a public API and subject to change.
 *
 * <p>One removal flows: {@code StreamLoop} or {@code Heartbeat} -> {@code RemovalIntake} ->
 * {@code Deduplicator} -> {@code FanOut} -> one {@code HandlerQueue} per handler. The stream
 * loop and the heartbeat keep their state in a {@code SerialContext} instead of behind locks;
 * timers come from an injected scheduler, durations from an injected ticker.
 */
package dev.engram.bridge.core.internal;
