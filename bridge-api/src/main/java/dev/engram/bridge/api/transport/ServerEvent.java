package dev.engram.bridge.api.transport;

import java.util.Map;
import java.util.Objects;

/**
 * One event as the server sent it on the stream, before the engine checks it. Immutable.
 *
 * <p>Fields the server left empty are empty strings and zero, as on the wire.
 */
public final class ServerEvent {

  /** The event's type. */
  public enum Type {
    /** The server sent type 0 (unspecified). */
    UNSPECIFIED,
    REMOVED,
    CREATED,
    RENAMED,
    /** A type number this version does not know; see {@link ServerEvent#typeNumber()}. */
    UNRECOGNIZED;

    /** The type for a wire number; {@link #UNRECOGNIZED} for numbers this version does not know. */
    public static Type forNumber(int number) {
      switch (number) {
        case 0:
          return UNSPECIFIED;
        case 1:
          return REMOVED;
        case 2:
          return CREATED;
        case 3:
          return RENAMED;
        default:
          return UNRECOGNIZED;
      }
    }
  }

  private final String eventId;
  private final int typeNumber;
  private final String projectId;
  private final long timestampUnixMs;
  private final String reason;
  private final Map<String, String> metadata;

  private ServerEvent(
      String eventId,
      int typeNumber,
      String projectId,
      long timestampUnixMs,
      String reason,
      Map<String, String> metadata) {
    this.eventId = Objects.requireNonNullElse(eventId, "");
    this.typeNumber = typeNumber;
    this.projectId = Objects.requireNonNullElse(projectId, "");
    this.timestampUnixMs = timestampUnixMs;
    this.reason = Objects.requireNonNullElse(reason, "");
    this.metadata = metadata == null || metadata.isEmpty() ? Map.of() : Map.copyOf(metadata);
  }

  /**
   * An event with every wire field.
   *
   * @param typeNumber the wire number of the event type, kept as sent so unknown types survive
   */
  public static ServerEvent of(
      String eventId,
      int typeNumber,
      String projectId,
      long timestampUnixMs,
      String reason,
      Map<String, String> metadata) {
    return new ServerEvent(eventId, typeNumber, projectId, timestampUnixMs, reason, metadata);
  }

  /** A removal event, for tests and fakes. */
  public static ServerEvent removal(String eventId, String projectId, String reason) {
    return new ServerEvent(eventId, 1, projectId, 0, reason, Map.of());
  }

  public String eventId() {
    return eventId;
  }

  public Type type() {
    return Type.forNumber(typeNumber);
  }

  /** The type as sent on the wire, also for types this version does not know. */
  public int typeNumber() {
    return typeNumber;
  }

  public String projectId() {
    return projectId;
  }

  /** When the event happened, in milliseconds since the epoch; 0 when the server sent none. */
  public long timestampUnixMs() {
    return timestampUnixMs;
  }

  public String reason() {
    return reason;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ServerEvent)) {
      return false;
    }
    ServerEvent that = (ServerEvent) o;
    return typeNumber == that.typeNumber
        && timestampUnixMs == that.timestampUnixMs
        && eventId.equals(that.eventId)
        && projectId.equals(that.projectId)
        && reason.equals(that.reason)
        && metadata.equals(that.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, typeNumber, projectId, timestampUnixMs, reason, metadata);
  }

  @Override
  public String toString() {
    return "ServerEvent{eventId=" + eventId + ", type=" + type()
        + (type() == Type.UNRECOGNIZED ? "(" + typeNumber + ")" : "")
        + ", projectId=" + projectId + ", timestampUnixMs=" + timestampUnixMs
        + ", reason=" + reason + "}";
  }
}
