package dev.engram.bridge.api.transport;

import java.util.List;
import java.util.Objects;

/** One {@code SyncProjectState} call's input: a client id and a chunk of local ids. Immutable. */
public final class SyncRequest {
  private final String clientId;
  private final List<String> localProjectIds;

  private SyncRequest(String clientId, List<String> localProjectIds) {
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.localProjectIds = List.copyOf(localProjectIds);
  }

  public static SyncRequest of(String clientId, List<String> localProjectIds) {
    return new SyncRequest(clientId, localProjectIds);
  }

  public String clientId() {
    return clientId;
  }

  public List<String> localProjectIds() {
    return localProjectIds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SyncRequest
        && clientId.equals(((SyncRequest) o).clientId)
        && localProjectIds.equals(((SyncRequest) o).localProjectIds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clientId, localProjectIds);
  }

  @Override
  public String toString() {
    return "SyncRequest{clientId=" + clientId + ", localProjectIds=" + localProjectIds.size()
        + " ids}";
  }
}
