package dev.engram.bridge.core.internal;

/**
 * A door into the engine's package-private {@link Deduplicator}, for the dedup benchmark only.
 *
 * <p>It lives in bridge-benchmarks but in the engine's package, so that the benchmark measures
 * the real class (and stops compiling if its signature changes) without widening the engine's
 * API. This works on the class path, where the benchmarks always run; bridge-core has no module
 * descriptor that would forbid the split package.
 */
public final class DeduplicatorAccess {
  private final Deduplicator dedup;

  /** A deduplicator as the engine builds it for one handler, 3 attempts and this window size. */
  public DeduplicatorAccess(int windowSize) {
    this.dedup = new Deduplicator(1, 3, windowSize);
  }

  /**
   * One removal's dedup bookkeeping, as the engine does it for each removal from either path:
   * the offer and, when it is new, the handler's success.
   *
   * @return whether it was new
   */
  public boolean mark(String projectId, boolean tracked) {
    Deduplicator.Decision decision = dedup.offer(RemovalIntake.REMOVED, projectId, tracked);
    if (decision.verdict() != Deduplicator.Verdict.NEW) {
      return false;
    }
    dedup.succeeded(decision.delivery(), 0);
    return true;
  }
}
