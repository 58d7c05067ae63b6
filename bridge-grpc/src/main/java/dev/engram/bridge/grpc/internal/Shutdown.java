package dev.engram.bridge.grpc.internal;

import java.time.Duration;

/**
 * How long closing a transport may wait at each step. The steps are few and each is bounded, so
 * {@code close()} returns within a few seconds even when the server does not answer, and at once
 * in the usual case where nothing is left to wait for.
 */
public final class Shutdown {
  /** For calls to report their end, and for the channel to terminate gracefully. */
  public static final Duration GRACE = Duration.ofSeconds(1);
  /** For each later step: forced channel shutdown, thread pools, each thread's exit. */
  public static final Duration STEP = Duration.ofMillis(500);

  private Shutdown() {}
}
