package io.dnsupdate.operator.issuer;

import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigCredentials;
import java.time.Clock;
import java.util.Objects;

/**
 * What signs the probe of an issuer: a TSIG key, or a Kerberos principal with one GSS-TSIG context
 * per nameserver ({@link GssProbeSigner}). The engine's own signer type is not public; this is the
 * operator's view of it: the clients to probe with and how messages name the signer. {@link
 * #close()} ends whatever the signer set up on the nameservers.
 */
interface ProbeSigner extends AutoCloseable {

  /** The name status.keyName shows: the TSIG key name, or the Kerberos principal. */
  String name();

  /** How the success message names the signer at {@code server}, e.g. {@code key 'k.' (...)}. */
  String describe(ServerEndpoint server);

  /** Where the grants that limit this signer come from, for the KeyNotLimited message. */
  String grantsHint();

  /** Signed queries to {@code server}. */
  DnsQuery query(ServerEndpoint server);

  /** Signed UPDATEs to {@code server}. */
  DnsUpdateClient client(ServerEndpoint server);

  @Override
  void close();

  /** A TSIG key: stateless, nothing to close. */
  static ProbeSigner tsig(TsigCredentials key, Clock clock) {
    return new Tsig(key, clock);
  }

  /** A TSIG key's signer. Its {@link #toString()} is the record's: the key's own redacts itself. */
  record Tsig(TsigCredentials key, Clock clock) implements ProbeSigner {
    public Tsig {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
      return key.keyName().toString();
    }

    @Override
    public String describe(ServerEndpoint server) {
      return "key '" + key.keyName() + "' (fingerprint " + key.fingerprint() + ")";
    }

    @Override
    public String grantsHint() {
      return "Load the grants of the TsigKey's nameserver-config Secret (PowerDNS:"
          + " pdns-policy.lua as lua-dnsupdate-policy-script; BIND: the update-policy lines"
          + " instead of allow-update)";
    }

    @Override
    public DnsQuery query(ServerEndpoint server) {
      return new DnsQuery(server, key, clock);
    }

    @Override
    public DnsUpdateClient client(ServerEndpoint server) {
      return new DnsUpdateClient(server, key, clock);
    }

    @Override
    public void close() {}
  }
}
