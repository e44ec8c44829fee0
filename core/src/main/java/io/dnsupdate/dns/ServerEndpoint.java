package io.dnsupdate.dns;

import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * One nameserver and how to talk to it: transport, TLS trust and a per-request deadline. Validated
 * once at construction, so a bad configuration fails before any traffic.
 */
public final class ServerEndpoint {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final Nameserver nameserver;
  private final Transport transport;
  private final TlsSettings tls;
  private final Duration timeout;
  private final SSLContext sslContext;

  public ServerEndpoint(
      Nameserver nameserver, Transport transport, TlsSettings tls, Duration timeout) {
    this.nameserver = Objects.requireNonNull(nameserver, "nameserver");
    this.transport = transport == null ? Transport.TCP : transport;
    this.tls = tls == null ? TlsSettings.SYSTEM_TRUST : tls;
    this.timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (this.timeout.isNegative() || this.timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    this.sslContext = this.transport == Transport.TLS ? this.tls.sslContext() : null;
    if (this.transport == Transport.TLS
        && nameserver.isIpLiteral()
        && (this.tls.serverName() == null || this.tls.serverName().isBlank())) {
      throw new IllegalArgumentException(
          "DNS over TLS to "
              + nameserver
              + " needs a TLS server name: the certificate is verified against it");
    }
  }

  /** TCP with the default deadline. */
  public static ServerEndpoint tcp(String hostPort) {
    return new ServerEndpoint(Nameserver.parse(hostPort), Transport.TCP, null, null);
  }

  public Nameserver nameserver() {
    return nameserver;
  }

  public Transport transport() {
    return transport;
  }

  public TlsSettings tls() {
    return tls;
  }

  public Duration timeout() {
    return timeout;
  }

  public int port() {
    return nameserver.portOr(transport);
  }

  /**
   * host:port with the port this transport uses, an IPv6 literal in brackets: as an issuer's {@code
   * status.primary} names the server.
   */
  public String hostPort() {
    String host = nameserver.host();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  SSLContext sslContext() {
    return sslContext;
  }

  /** The name the TLS certificate must carry. */
  String tlsServerName() {
    String name = tls.serverName();
    return name == null || name.isBlank() ? nameserver.host() : name;
  }

  /** The same server with another per-request deadline. */
  public ServerEndpoint withTimeout(Duration newTimeout) {
    return new ServerEndpoint(nameserver, transport, tls, newTimeout);
  }

  @Override
  public String toString() {
    return nameserver.host().contains(":")
        ? "[" + nameserver.host() + "]:" + port() + " (" + transport + ")"
        : nameserver.host() + ":" + port() + " (" + transport + ")";
  }
}
