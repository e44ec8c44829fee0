package io.dnsupdate.operator.issuer;

import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.GssTsigContext;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.gss.KerberosIdentity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.xbill.DNS.Name;

/**
 * A logged-in Kerberos principal signing one probe: one GSS-TSIG context per nameserver, made when
 * that nameserver is first asked (the TKEY exchange runs with the first signed message), shared by
 * the zone queries and the UPDATEs of the probe, and deleted on the nameserver by {@link #close()}
 * (TKEY mode 5): a probe every few minutes must not leave a context behind each time. Used by one
 * reconcile thread at a time.
 */
final class GssProbeSigner implements ProbeSigner {
  private final KerberosIdentity identity;
  private final IssuerCredential.Kerberos credential;
  private final Clock clock;
  private final Map<ServerEndpoint, GssTsigContext> contexts = new LinkedHashMap<>();

  GssProbeSigner(KerberosIdentity identity, IssuerCredential.Kerberos credential, Clock clock) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.credential = Objects.requireNonNull(credential, "credential");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String name() {
    return credential.principal();
  }

  @Override
  public String describe(ServerEndpoint server) {
    return "GSS-TSIG as Kerberos principal '"
        + credential.principal()
        + "' (service principal "
        + credential.servicePrincipalFor(server)
        + ")";
  }

  @Override
  public String grantsHint() {
    return "Load the update-policy grants of the issuer's nameserver-config ConfigMap"
        + " instead of allow-update (Active Directory: grant the principal write access to the"
        + " _acme-challenge records only)";
  }

  @Override
  public DnsQuery query(ServerEndpoint server) {
    return new DnsQuery(context(server));
  }

  @Override
  public DnsUpdateClient client(ServerEndpoint server) {
    return new DnsUpdateClient(context(server));
  }

  /** The context with {@code server}, made on first use. */
  synchronized GssTsigContext context(ServerEndpoint server) {
    return contexts.computeIfAbsent(
        server,
        s ->
            new GssTsigContext(
                identity,
                s,
                credential.serverName(s),
                credential.servicePrincipalFor(s),
                Name.fromConstantString(credential.algorithm().dnsName()),
                clock));
  }

  /** Deletes every context on its nameserver; one that does not confirm expires there. */
  @Override
  public void close() {
    List<GssTsigContext> all;
    synchronized (this) {
      all = new ArrayList<>(contexts.values());
      contexts.clear();
    }
    all.forEach(GssTsigContext::close);
  }

  @Override
  public String toString() {
    return "GssProbeSigner[" + credential.principal() + "]";
  }
}
