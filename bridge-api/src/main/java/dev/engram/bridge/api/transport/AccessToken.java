package dev.engram.bridge.api.transport;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * A bearer token, kept out of logs: {@link #toString()} never shows it. Only a transport asks
 * for the value, to put it in the {@code authorization} header.
 */
public final class AccessToken {
  private final String value;

  private AccessToken(String value) {
    this.value = value;
  }

  /**
   * @throws IllegalArgumentException if the token is empty or holds characters a header cannot
   *     carry (the message does not show the token)
   */
  public static AccessToken of(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "the token is empty; set ENGRAM_TOKEN to the server's token, or leave it unset");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            "the token holds a character a header cannot carry at index " + i
                + " (whitespace or non-ASCII); check ENGRAM_TOKEN for a stray newline or space");
      }
    }
    return new AccessToken(value);
  }

  /** The secret itself. Put it in a header; never in a log line or a message. */
  public String reveal() {
    return value;
  }

  /** The header value {@code "Bearer <token>"}. */
  public String bearerHeaderValue() {
    return "Bearer " + value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccessToken
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8),
            ((AccessToken) o).value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return AccessToken.class.hashCode();
  }

  @Override
  public String toString() {
    return "AccessToken[redacted]";
  }
}
