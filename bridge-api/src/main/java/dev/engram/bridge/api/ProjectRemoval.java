package dev.engram.bridge.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One removal of a project, as handed to every {@link ProjectRemovalAware}.
 *
 * <p>Both paths, the event stream and the heartbeat, produce this same value. What only the
 * stream knows (the event id and the reason) is empty when the heartbeat found the removal.
 * Instances are immutable and safe to share between threads.
 */
public final class ProjectRemoval {
  private final String projectId;
  private final RemovalSource source;
  private final String eventId;
  private final String reason;
  private final Instant serverTime;

  private ProjectRemoval(
      String projectId, RemovalSource source, String eventId, String reason, Instant serverTime) {
    this.projectId = requireNonEmpty(projectId);
    this.source = Objects.requireNonNull(source, "source");
    this.eventId = emptyToNull(eventId);
    this.reason = emptyToNull(reason);
    this.serverTime = serverTime;
  }

  /**
   * A removal announced on the event stream.
   *
   * @param projectId the removed project; never empty
   * @param eventId the server's event id, or null or empty when the event had none
   * @param reason why the project was removed, or null or empty when the server gave none
   * @param serverTime when the server says it happened, or null when unknown
   */
  public static ProjectRemoval fromStream(
      String projectId, String eventId, String reason, Instant serverTime) {
    return new ProjectRemoval(projectId, RemovalSource.STREAM, eventId, reason, serverTime);
  }

  /**
   * A removal found by reconciliation.
   *
   * @param projectId the removed project; never empty
   * @param serverTime the server's clock when it answered, or null when unknown
   */
  public static ProjectRemoval fromHeartbeat(String projectId, Instant serverTime) {
    return new ProjectRemoval(projectId, RemovalSource.HEARTBEAT, null, null, serverTime);
  }

  /** The id of the removed project; never empty. */
  public String projectId() {
    return projectId;
  }

  /** Which path reported the removal first. */
  public RemovalSource source() {
    return source;
  }

  /** The server's event id; present only for removals from the stream that carried one. */
  public Optional<String> eventId() {
    return Optional.ofNullable(eventId);
  }

  /** The server's reason, in words for people; present only when the server gave one. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * The server's time for this removal: the event's timestamp on the stream, or the server's
   * clock at the reconciliation that found it.
   */
  public Optional<Instant> serverTime() {
    return Optional.ofNullable(serverTime);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProjectRemoval)) {
      return false;
    }
    ProjectRemoval that = (ProjectRemoval) o;
    return projectId.equals(that.projectId)
        && source == that.source
        && Objects.equals(eventId, that.eventId)
        && Objects.equals(reason, that.reason)
        && Objects.equals(serverTime, that.serverTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(projectId, source, eventId, reason, serverTime);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("ProjectRemoval{projectId=").append(projectId)
        .append(", source=").append(source.wireName());
    if (eventId != null) {
      out.append(", eventId=").append(eventId);
    }
    if (reason != null) {
      out.append(", reason=").append(reason);
    }
    if (serverTime != null) {
      out.append(", serverTime=").append(serverTime);
    }
    return out.append('}').toString();
  }

  private static String requireNonEmpty(String projectId) {
    if (projectId == null || projectId.isEmpty()) {
      throw new IllegalArgumentException(
          "projectId is " + (projectId == null ? "null" : "empty")
              + "; a removal names the project it removes");
    }
    return projectId;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
