package io.dnsupdate.dns;

import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestTsigKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;

/** Builds engine objects pointed at the test's {@link NamedServer}. */
final class EngineFixture {
  static final Name ZONE = name("example.test.");
  static final Name CHALLENGE = name("_acme-challenge.example.test.");

  private EngineFixture() {}

  static Name name(String text) {
    try {
      return Name.fromString(text);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static TsigCredentials credentials(TestTsigKey key) {
    return TsigCredentials.fromBase64(
        key.name(), TsigAlgorithm.parse(key.algorithm(), false), key.secret());
  }

  static ServerEndpoint endpoint(NamedServer named, Transport transport) {
    return new ServerEndpoint(
        new Nameserver(named.address(), named.port()), transport, null, Duration.ofSeconds(5));
  }

  static ServerEndpoint tlsEndpoint(NamedServer named, String serverName) {
    try {
      return new ServerEndpoint(
          new Nameserver(named.address(), named.tlsPort()),
          Transport.TLS,
          new TlsSettings(Files.readString(named.tlsCaPemFile()), serverName),
          Duration.ofSeconds(5));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DnsUpdateClient client(NamedServer named, TestTsigKey key) {
    return client(endpoint(named, Transport.TCP), credentials(key));
  }

  static DnsUpdateClient client(ServerEndpoint endpoint, TsigCredentials credentials) {
    return new DnsUpdateClient(endpoint, credentials, Clock.systemUTC());
  }

  /** A fresh ACME-like token, so tests sharing one server never see each other's values. */
  static String token() {
    return UUID.randomUUID().toString().replace("-", "") + "-test";
  }

  /** The SOA of {@link #ZONE} with this serial, as scripted servers answer it. */
  static SOARecord soa(long serial) {
    Name ns = Name.fromConstantString("ns1.example.test.");
    return new SOARecord(ZONE, DClass.IN, 60, ns, ns, serial, 3600, 600, 86400, 60);
  }
}
