package dev.engram.bridge.testkit;

import com.google.common.collect.ImmutableMap;
import dev.engram.bridge.proto.v1.ProjectEventsRequest;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt to open a {@code ProjectEvents} stream, as the {@link FakeEngramServer} received
 * it: the request, its headers and what the server did with it. Immutable.
 *
 * <p>Every attempt that passed the token check is recorded, whether the server accepted it or
 * answered at once with an error (an empty client id, a resume id it cannot serve, a scripted
 * failure). Attempts rejected for a missing or wrong token are only counted
 * ({@link FakeEngramServer#authFailures()}).
 *
 * <p>{@link #toString()} shows header names but never their values, which may hold a token.
 */
public final class RecordedStreamOpen {
  private final ProjectEventsRequest request;
  private final ImmutableMap<String, List<String>> headers;
  private final Status.Code outcome;

  private RecordedStreamOpen(
      ProjectEventsRequest request,
      ImmutableMap<String, List<String>> headers,
      Status.Code outcome) {
    this.request = request;
    this.headers = headers;
    this.outcome = outcome;
  }

  /**
   * A record of {@code request} with {@code headers} (names in lower case, values in arrival
   * order); {@code outcome} is {@link Status.Code#OK} when the stream was accepted, else the code
   * it was closed with at once.
   */
  public static RecordedStreamOpen of(
      ProjectEventsRequest request,
      Map<String, ? extends List<String>> headers,
      Status.Code outcome) {
    return new RecordedStreamOpen(
        Objects.requireNonNull(request, "request"),
        RecordedHeaders.copyOf(headers),
        Objects.requireNonNull(outcome, "outcome"));
  }

  /** The request exactly as it arrived. */
  public ProjectEventsRequest request() {
    return request;
  }

  /** The client id the request carried; may be empty (the server then rejected the stream). */
  public String clientId() {
    return request.getClientId();
  }

  /** The event id the client asked to resume after; empty for a fresh stream. */
  public String sinceEventId() {
    return request.getSinceEventId();
  }

  /** Whether the client asked to resume ({@link #sinceEventId()} is not empty). */
  public boolean isResume() {
    return !request.getSinceEventId().isEmpty();
  }

  /**
   * {@link Status.Code#OK} if the server accepted the stream; otherwise the code it closed the
   * stream with straight away ({@code INVALID_ARGUMENT}, {@code OUT_OF_RANGE}, a scripted code,
   * or {@code UNAVAILABLE} while the server was stopping).
   */
  public Status.Code outcome() {
    return outcome;
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
    return "RecordedStreamOpen{clientId=" + clientId()
        + ", sinceEventId=" + sinceEventId()
        + ", outcome=" + outcome
        + ", headerNames=" + headers.keySet() + "}";
  }
}
