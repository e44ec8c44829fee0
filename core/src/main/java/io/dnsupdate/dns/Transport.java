package io.dnsupdate.dns;

import java.util.Locale;

/** How DNS messages travel to the nameserver. */
public enum Transport {
  /** DNS over TCP (RFC 7766): never truncated; the default. */
  TCP(53),
  /** DNS over UDP, retried over TCP when the answer comes back truncated. */
  UDP(53),
  /** DNS over TLS (RFC 7858). */
  TLS(853);

  private final int defaultPort;

  Transport(int defaultPort) {
    this.defaultPort = defaultPort;
  }

  public int defaultPort() {
    return defaultPort;
  }

  /** Parses {@code tcp}, {@code udp} or {@code tls}; null or blank means TCP. */
  public static Transport parse(String text) {
    if (text == null || text.isBlank()) {
      return TCP;
    }
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown transport '" + text + "'; expected tcp, udp or tls");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
