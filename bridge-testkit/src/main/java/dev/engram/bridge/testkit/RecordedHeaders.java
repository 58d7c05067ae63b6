package dev.engram.bridge.testkit;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Copies and reads the header maps of the recorded calls. */
final class RecordedHeaders {
  private static final int SHOWN_IDS = 10;

  private RecordedHeaders() {}

  static ImmutableMap<String, List<String>> copyOf(Map<String, ? extends List<String>> headers) {
    ImmutableMap.Builder<String, List<String>> copy = ImmutableMap.builder();
    headers.forEach(
        (name, values) -> copy.put(name.toLowerCase(Locale.ROOT), ImmutableList.copyOf(values)));
    return copy.buildKeepingLast();
  }

  static Optional<String> first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** A list short enough for a log line or an assertion message. */
  static String abbreviate(List<String> ids) {
    if (ids.size() <= SHOWN_IDS) {
      return ids.toString();
    }
    return ids.subList(0, SHOWN_IDS).toString().replaceFirst("]$", "")
        + ", ... (" + ids.size() + " in all)]";
  }
}
