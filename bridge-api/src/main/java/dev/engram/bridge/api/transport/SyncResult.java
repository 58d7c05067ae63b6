package dev.engram.bridge.api.transport;

import java.util.List;
import java.util.Objects;

/** One {@code SyncProjectState} call's answer. Immutable. */
public final class SyncResult {
  private final List<String> removed;
  private final List<String> unknown;
  private final long serverTimeUnixMs;

  private SyncResult(List<String> removed, List<String> unknown, long serverTimeUnixMs) {
    this.removed = List.copyOf(removed);
    this.unknown = List.copyOf(unknown);
    this.serverTimeUnixMs = serverTimeUnixMs;
  }

  /**
   * @param removed ids the server reports removed (to be delivered)
   * @param unknown ids the server reports as unknown (informational only)
   * @param serverTimeUnixMs the server's clock when it answered; 0 when it sent none
   */
  public static SyncResult of(List<String> removed, List<String> unknown, long serverTimeUnixMs) {
    return new SyncResult(removed, unknown, serverTimeUnixMs);
  }

  public List<String> removed() {
    return removed;
  }

  public List<String> unknown() {
    return unknown;
  }

  public long serverTimeUnixMs() {
    return serverTimeUnixMs;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SyncResult)) {
      return false;
    }
    SyncResult that = (SyncResult) o;
    return serverTimeUnixMs == that.serverTimeUnixMs
        && removed.equals(that.removed)
        && unknown.equals(that.unknown);
  }

  @Override
  public int hashCode() {
    return Objects.hash(removed, unknown, serverTimeUnixMs);
  }

  @Override
  public String toString() {
    return "SyncResult{removed=" + removed + ", unknown=" + unknown + ", serverTimeUnixMs="
        + serverTimeUnixMs + "}";
  }
}
