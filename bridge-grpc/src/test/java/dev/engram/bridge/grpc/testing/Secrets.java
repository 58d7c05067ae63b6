package dev.engram.bridge.grpc.testing;

import dev.engram.bridge.api.transport.AccessToken;
import java.util.List;

/** The secrets every transport test uses, distinctive enough to find in any text. */
public final class Secrets {
  /** The bearer token tests configure. */
  public static final String TOKEN = "tkn-7f3a9c-never-print-me";
  /** The password tests put in URL user-info. */
  public static final String URL_PASSWORD = "pw-4b8e1d-never-print-me";
  /** User-info as it appears in a URL. */
  public static final String USER_INFO = "alice:" + URL_PASSWORD;

  private Secrets() {}

  public static AccessToken token() {
    return AccessToken.of(TOKEN);
  }

  /** Every secret; none may appear in a log line, a message or a {@code toString()}. */
  public static List<String> all() {
    return List.of(TOKEN, URL_PASSWORD);
  }

  /** Whether {@code text} holds any secret. */
  public static boolean leakIn(String text) {
    return text != null && all().stream().anyMatch(text::contains);
  }
}
