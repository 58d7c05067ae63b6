package dev.engram.bridge.core.internal;

import com.google.common.base.Ticker;
import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.transport.Transport;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * What the stream loop and the heartbeat share: the server, time and randomness, the serial
 * context with its timers, the state they report, and where their removals go.
 */
record LoopWiring(
    Transport transport,
    String clientId,
    Random random,
    Ticker ticker,
    Clock wallClock,
    Executor context,
    Timers timers,
    BridgeStateHolder state,
    BridgeListener listener,
    RemovalIntake intake,
    TrackerUnion trackers) {}
