package dev.engram.bridge.benchmarks;

import static com.google.common.truth.Truth.assertThat;

import dev.engram.bridge.benchmarks.HerdSimulation.Result;
import dev.engram.bridge.core.BackoffPolicy;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 10 000 clients lose their server at the same instant; it returns 10 s later. Our rules (real
 * bridges on one fake clock) against the original's (x2 from 1 s, no jitter, reset on every call
 * start). Seeded, so the numbers are the same on every run.
 *
 * <p>Issue 7 sets a target of peak/mean <= 2 for our policy over the first 60 s. It is printed
 * but not asserted: with the specified policy (first retry 1 s +-20%) all clients' first retries
 * fall within 400 ms, so the peak window holds about a quarter of the fleet while the mean over
 * 600 windows is about 5 attempts per client / 600; the ratio is about 30 by construction, and no
 * jittered exponential backoff that retries within seconds can reach 2. What the policy does
 * guarantee is asserted instead: a much smaller peak than the original's, and above all no herd
 * when the server comes back.
 */
class HerdSimulationTest {
  private static final int CLIENTS = 10_000;
  private static final long SEED = 1;

  private static Result ours;
  private static Result original;

  @BeforeAll
  static void simulate() {
    ours = HerdSimulation.ours(CLIENTS, SEED);
    original = HerdSimulation.original(CLIENTS, SEED);
    System.out.println("herd: " + ours);
    System.out.println("herd: " + original);
    System.out.println(String.format(Locale.ROOT,
        "herd: peak/mean over the first 60 s: ours=%.1f original=%.1f (issue 7 target for ours:"
            + " <= 2, %s)",
        ours.peakToMean(), original.peakToMean(), ours.peakToMean() <= 2 ? "met" : "MISSED"));
  }

  @Test
  void herd_everyClientReconnectsAfterTheServerReturns() {
    assertThat(ours.connectedAtEnd()).isEqualTo(CLIENTS);
    assertThat(original.connectedAtEnd()).isEqualTo(CLIENTS);
  }

  @Test
  void herd_originalRetriesInLockStep_everyClientInOneWindowEachSecond() {
    // Ten failed attempts (1 s .. 9 s, and 10 s when it succeeds) of every client, each second
    // all of them together: the model reproduces the defect it stands for.
    assertThat(original.peakWindow()).isEqualTo(CLIENTS);
    assertThat(original.peakAfterReturn()).isEqualTo(CLIENTS);
    assertThat(original.attempts()).isEqualTo(10L * CLIENTS);
  }

  @Test
  void herd_ours_peakWindowIsUnderAThirdOfTheOriginals() {
    // The first retries spread over +-20% of 1 s: four windows of about a quarter each.
    assertThat(ours.peakWindow()).isLessThan(original.peakWindow() / 3);
    assertThat(ours.peakToMean()).isLessThan(original.peakToMean() * 0.6);
  }

  @Test
  void herd_ours_noHerdWhenTheServerReturns() {
    // The server sees at most 5% of the fleet in any 100 ms once it is back (the original: all).
    assertThat(ours.peakAfterReturn()).isAtMost(CLIENTS / 20);
  }

  @Test
  void herd_ours_makesFewerAttemptsThanTheOriginal() {
    assertThat(ours.attempts()).isLessThan(original.attempts() * 6 / 10);
  }

  @Test
  void herd_aFlatFirstMinute_takesAPolicyThatKeepsClientsAwayLongAfterTheServerIsBack() {
    // First retries spread over the whole minute: peak/mean falls under 2, and a 10 s outage
    // leaves part of the fleet still disconnected at 60 s. The target trades against recovery.
    Result flat = HerdSimulation.model("first retry 30 s +-99%", BackoffPolicy.builder()
            .initialDelay(Duration.ofSeconds(30))
            .maxDelay(Duration.ofSeconds(60))
            .jitter(0.99)
            .build(),
        false, CLIENTS, SEED);

    assertThat(flat.peakToMean()).isAtMost(2.0);
    assertThat(flat.connectedAtEnd()).isLessThan(CLIENTS * 95 / 100);
    assertThat(ours.connectedAtEnd()).isEqualTo(CLIENTS);
  }

  @Test
  void herd_modelOfOurRules_agreesWithTheRealEngine() {
    Result model = HerdSimulation.model(
        "ours (model)", BackoffPolicy.defaults(), false, CLIENTS, SEED);

    assertThat((double) model.attempts()).isWithin(ours.attempts() * 0.02).of(ours.attempts());
    assertThat(model.peakToMean()).isWithin(ours.peakToMean() * 0.1).of(ours.peakToMean());
  }
}
