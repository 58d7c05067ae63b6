package dev.engram.bridge.testkit;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code SyncProjectState} call as the {@link FakeEngramServer} received it: the request and
 * the headers it carried. Immutable.
 *
 * <p>Every call that passed the token check is recorded, including those the server then
 * rejected (an empty client id, too many ids) or answered with a scripted failure. Calls
 * rejected for a missing or wrong token are only counted ({@link FakeEngramServer#authFailures()}).
 *
 * <p>{@link #toString()} shows header names but never their values, which may hold a token.
 */
public final class RecordedSyncRequest {
  private final SyncProjectStateRequest request;
  private final ImmutableMap<String, List<String>> headers;

  private RecordedSyncRequest(
      SyncProjectStateRequest request, ImmutableMap<String, List<String>> headers) {
    this.request = request;
    this.headers = headers;
  }

  /**
   * A record of {@code request} with {@code headers} (names in lower case, values in the order
   * they arrived).
   */
  public static RecordedSyncRequest of(
      SyncProjectStateRequest request, Map<String, ? extends List<String>> headers) {
    return new RecordedSyncRequest(
        Objects.requireNonNull(request, "request"), RecordedHeaders.copyOf(headers));
  }

  /** The request exactly as it arrived. */
  public SyncProjectStateRequest request() {
    return request;
  }

  /** The client id the request carried; may be empty (the server then rejected the call). */
  public String clientId() {
    return request.getClientId();
  }

  /** The project ids the client reported, in the order it sent them. */
  public List<String> localProjectIds() {
    return ImmutableList.copyOf(request.getLocalProjectIdsList());
  }

  /**
   * Every header of the call: names in lower case, each with its values in arrival order. Binary
   * headers ({@code -bin}) hold their values in base64.
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of header {@code name} (any case), if the call carried it. */
  public Optional<String> header(String name) {
    return RecordedHeaders.first(headers, name);
  }

  @Override
  public String toString() {
    return "RecordedSyncRequest{clientId=" + clientId()
        + ", localProjectIds=" + RecordedHeaders.abbreviate(request.getLocalProjectIdsList())
        + ", headerNames=" + headers.keySet() + "}";
  }
}
