package dev.engram.bridge.core;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * How long the bridge waits before reopening a failed event stream. Immutable and thread-safe.
 *
 * <p>The wait before attempt {@code n} (from 0, counted since the server last accepted a stream)
 * is {@code initialDelay * multiplier^n}, spread by a random factor in {@code [1 - jitter,
 * 1 + jitter]} and never longer than {@code maxDelay}. The spread keeps a fleet of clients that
 * lost the same server from coming back at the same instant.
 *
 * <p>{@link #defaults()} is 1 s, x1.6, at most 30 s, +-20%. {@link #original()} is what the first
 * bridge did (doubling from 1 s, no jitter), kept so that simulations can compare the two.
 */
public final class BackoffPolicy {
  private static final BackoffPolicy DEFAULTS =
      new BackoffPolicy(Duration.ofSeconds(1), 1.6, Duration.ofSeconds(30), 0.2);
  private static final BackoffPolicy ORIGINAL =
      new BackoffPolicy(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.0);

  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final double jitter;

  private BackoffPolicy(
      Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {
    this.initialDelay = initialDelay;
    this.multiplier = multiplier;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
  }

  /** 1 s, multiplied by 1.6 per failed attempt, at most 30 s, with +-20% jitter. */
  public static BackoffPolicy defaults() {
    return DEFAULTS;
  }

  /** The first bridge's policy: 1 s doubling per attempt up to 30 s, without jitter. */
  public static BackoffPolicy original() {
    return ORIGINAL;
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The wait before the first retry, before jitter. */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** How much each further failed attempt multiplies the wait. */
  public double multiplier() {
    return multiplier;
  }

  /** The longest wait; also the wait after an authentication failure. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** The relative spread, from 0 (none) to below 1; 0.2 means +-20%. */
  public double jitter() {
    return jitter;
  }

  /**
   * The wait before attempt {@code attempt}.
   *
   * @param attempt how many attempts failed since the server last accepted a stream, minus one
   *     (0 for the first retry)
   * @param random the jitter source
   */
  public Duration delay(int attempt, Random random) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt is " + attempt + "; expected 0 or more");
    }
    double capNanos = maxDelay.toNanos();
    double baseNanos = Math.min(capNanos, initialDelay.toNanos() * Math.pow(multiplier, attempt));
    double factor = jitter == 0 ? 1 : 1 + jitter * (2 * random.nextDouble() - 1);
    return Duration.ofNanos(Math.round(Math.min(capNanos, baseNanos * factor)));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BackoffPolicy)) {
      return false;
    }
    BackoffPolicy that = (BackoffPolicy) o;
    return initialDelay.equals(that.initialDelay)
        && Double.compare(multiplier, that.multiplier) == 0
        && maxDelay.equals(that.maxDelay)
        && Double.compare(jitter, that.jitter) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialDelay, multiplier, maxDelay, jitter);
  }

  @Override
  public String toString() {
    return "BackoffPolicy{initialDelay=" + initialDelay + ", multiplier=" + multiplier
        + ", maxDelay=" + maxDelay + ", jitter=" + jitter + "}";
  }

  /** Builds a {@link BackoffPolicy}; each option may be set once. Validated by {@link #build}. */
  public static final class Builder {
    private final Set<String> given = new HashSet<>();
    private Duration initialDelay = DEFAULTS.initialDelay;
    private double multiplier = DEFAULTS.multiplier;
    private Duration maxDelay = DEFAULTS.maxDelay;
    private double jitter = DEFAULTS.jitter;

    private Builder() {}

    public Builder initialDelay(Duration initialDelay) {
      once("initialDelay");
      this.initialDelay = Objects.requireNonNull(initialDelay, "initialDelay");
      return this;
    }

    public Builder multiplier(double multiplier) {
      once("multiplier");
      this.multiplier = multiplier;
      return this;
    }

    public Builder maxDelay(Duration maxDelay) {
      once("maxDelay");
      this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
      return this;
    }

    public Builder jitter(double jitter) {
      once("jitter");
      this.jitter = jitter;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting when a value cannot work
     */
    public BackoffPolicy build() {
      if (initialDelay.isNegative() || initialDelay.isZero()) {
        throw invalid("initialDelay", initialDelay, "a positive duration, such as 1s");
      }
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw invalid("multiplier", multiplier, "a finite number of at least 1.0, such as 1.6");
      }
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw invalid("maxDelay", maxDelay, "at least initialDelay (" + initialDelay + ")");
      }
      if (!(jitter >= 0.0 && jitter < 1.0)) {
        throw invalid("jitter", jitter, "a fraction from 0 (none) to below 1, such as 0.2");
      }
      return new BackoffPolicy(initialDelay, multiplier, maxDelay, jitter);
    }

    private void once(String option) {
      if (!given.add(option)) {
        throw new IllegalStateException(
            "BackoffPolicy option " + option + " was already set on this builder");
      }
    }

    private static IllegalArgumentException invalid(String setting, Object value, String expected) {
      return new IllegalArgumentException(
          "backoff." + setting + " is " + value + "; expected " + expected);
    }
  }
}
