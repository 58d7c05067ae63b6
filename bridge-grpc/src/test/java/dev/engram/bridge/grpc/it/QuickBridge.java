package dev.engram.bridge.grpc.it;

import dev.engram.bridge.core.BackoffPolicy;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import java.time.Duration;
import java.util.Random;

/**
 * Real bridges with timings short enough for tests on real time: a reconciliation right at
 * start and then rarely (so that a test controls when the next one runs), reconnects after
 * about 50 ms, a cap of 1 s, a quick close.
 */
final class QuickBridge {
  /** 50 ms doubling to at most 1 s, +-20%. */
  static final BackoffPolicy BACKOFF = BackoffPolicy.builder()
      .initialDelay(Duration.ofMillis(50))
      .multiplier(2.0)
      .maxDelay(Duration.ofSeconds(1))
      .jitter(0.2)
      .build();

  /** Jitter is seeded, so a failing run can be told apart from bad luck. */
  private static final long SEED = 20_261_203L;

  private QuickBridge() {}

  /**
   * A configuration for {@code url} with quick timings. Every setting may be set once more on
   * the returned builder.
   */
  static BridgeConfig.Builder config(String url) {
    return BridgeConfig.builder()
        .serverUrl(url)
        .heartbeatInterval(Duration.ofSeconds(60))
        .heartbeatJitter(Duration.ZERO)
        .initialSyncDelayMax(Duration.ZERO)
        .reconnectSyncDelayMax(Duration.ofSeconds(30))
        .syncDeadline(Duration.ofSeconds(5))
        .streamStablePeriod(Duration.ofSeconds(1))
        .backoff(BACKOFF)
        .closeGracePeriod(Duration.ofSeconds(2))
        .build()
        .toBuilder();
  }

  /** A bridge builder for {@code config} that reports to {@code recorder}. */
  static EngramBridge.Builder builder(BridgeConfig config, BridgeRecorder recorder) {
    return EngramBridge.builder()
        .config(config)
        .addListener(recorder)
        .random(new Random(SEED));
  }
}
