package dev.engram.bridge.cli;

import dev.engram.bridge.api.ProjectRemoval;

/**
 * The one JSON object per line that {@code watch --json} prints for each delivered removal. The
 * four fields are fixed, so a small writer beats a JSON library on the classpath.
 */
final class JsonLine {

  private JsonLine() {}

  static String of(ProjectRemoval removal) {
    return "{\"projectId\":" + quote(removal.projectId())
        + ",\"source\":" + quote(removal.source().wireName())
        + ",\"eventId\":" + quote(removal.eventId().orElse(null))
        + ",\"reason\":" + quote(removal.reason().orElse(null))
        + "}";
  }

  static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    return out.append('"').toString();
  }
}
