package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dnsupdate.dns.Transport;

/** The {@code spec.transport} values of a DnsUpdateIssuer. */
public enum DnsTransport {
  /** DNS over TCP; never truncated. The default. */
  @JsonProperty("tcp")
  TCP(Transport.TCP),
  /** DNS over UDP, retried over TCP when an answer comes back truncated. */
  @JsonProperty("udp")
  UDP(Transport.UDP),
  /** DNS over TLS (RFC 7858), port 853 unless written. */
  @JsonProperty("tls")
  TLS(Transport.TLS);

  /** The CRD default; a compile-time constant for {@code @Default}. */
  public static final String DEFAULT_NAME = "tcp";

  private final Transport engine;

  DnsTransport(Transport engine) {
    this.engine = engine;
  }

  /** The DNS engine's transport. */
  public Transport engine() {
    return engine;
  }

  @Override
  public String toString() {
    return engine.toString();
  }
}
