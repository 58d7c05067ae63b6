package dev.engram.bridge.core;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {

  @Test
  void defaults_are1sTimes1point6CappedAt30sWith20PercentJitter() {
    BackoffPolicy policy = BackoffPolicy.defaults();

    assertThat(policy.initialDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.multiplier()).isEqualTo(1.6);
    assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.jitter()).isEqualTo(0.2);
  }

  @Test
  void delay_withSeededRandom_isReproducibleAndWithinJitterBoundsOfTheExponentialBase() {
    BackoffPolicy policy = BackoffPolicy.defaults();
    List<Duration> first = sequence(policy, new Random(42), 12);
    List<Duration> second = sequence(policy, new Random(42), 12);

    assertThat(first).isEqualTo(second);
    for (int attempt = 0; attempt < first.size(); attempt++) {
      double base = Math.min(30_000, 1000 * Math.pow(1.6, attempt));
      long millis = first.get(attempt).toMillis();
      assertThat((double) millis).isAtLeast(Math.floor(base * 0.8) - 1);
      assertThat((double) millis).isAtMost(Math.min(30_000, Math.ceil(base * 1.2)));
    }
  }

  @Test
  void delay_neverExceedsTheCap_evenForHugeAttempts() {
    BackoffPolicy policy = BackoffPolicy.defaults();
    Random random = new Random(1);

    for (int attempt : new int[] {8, 20, 100, 10_000, Integer.MAX_VALUE}) {
      Duration delay = policy.delay(attempt, random);
      assertThat(delay).isAtMost(Duration.ofSeconds(30));
      assertThat(delay).isAtLeast(Duration.ofSeconds(24));
    }
  }

  @Test
  void delay_jitterSpreadsClientsThatFailedTogether() {
    BackoffPolicy policy = BackoffPolicy.defaults();
    Random random = new Random(3);
    List<Duration> firstRetries = new ArrayList<>();
    for (int client = 0; client < 50; client++) {
      firstRetries.add(policy.delay(0, random));
    }

    assertThat(firstRetries.stream().distinct().count()).isGreaterThan(40L);
    assertThat(firstRetries.stream().min(Duration::compareTo).get())
        .isAtLeast(Duration.ofMillis(800));
    assertThat(firstRetries.stream().max(Duration::compareTo).get())
        .isAtMost(Duration.ofMillis(1200));
  }

  @Test
  void original_doublesFromOneSecondWithoutJitter() {
    List<Duration> delays = sequence(BackoffPolicy.original(), new Random(9), 7);

    assertThat(delays).containsExactly(
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30),
        Duration.ofSeconds(30)).inOrder();
  }

  @Test
  void builder_customPolicy_isUsed() {
    BackoffPolicy policy = BackoffPolicy.builder()
        .initialDelay(Duration.ofMillis(100))
        .multiplier(3)
        .maxDelay(Duration.ofSeconds(1))
        .jitter(0)
        .build();

    assertThat(sequence(policy, new Random(), 4)).containsExactly(
        Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(900),
        Duration.ofSeconds(1)).inOrder();
  }

  @Test
  void builder_invalidValues_failNamingTheSetting() {
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> BackoffPolicy.builder().initialDelay(Duration.ZERO).build()).getMessage())
        .contains("backoff.initialDelay is PT0S; expected a positive duration");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> BackoffPolicy.builder().multiplier(0.5).build()).getMessage())
        .contains("backoff.multiplier is 0.5");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> BackoffPolicy.builder().maxDelay(Duration.ofMillis(10)).build()).getMessage())
        .contains("backoff.maxDelay");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> BackoffPolicy.builder().jitter(1.0).build()).getMessage())
        .contains("backoff.jitter is 1.0");
  }

  @Test
  void builder_optionGivenTwice_isRefused() {
    BackoffPolicy.Builder builder = BackoffPolicy.builder().jitter(0.1);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> builder.jitter(0.3));
    assertThat(e).hasMessageThat().contains("jitter was already set");
  }

  @Test
  void equalPolicies_areEqual() {
    assertThat(BackoffPolicy.builder().build()).isEqualTo(BackoffPolicy.defaults());
    assertThat(BackoffPolicy.original()).isNotEqualTo(BackoffPolicy.defaults());
  }

  private static List<Duration> sequence(BackoffPolicy policy, Random random, int n) {
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 0; attempt < n; attempt++) {
      delays.add(policy.delay(attempt, random));
    }
    return delays;
  }
}
