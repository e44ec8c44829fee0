package io.dnsupdate.webhook.challenge;

import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.dns.GssTsigContext;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TlsSettings;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.dns.gss.KerberosIdentity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * One Kerberos login of an issuer (its ticket-granting ticket) and the GSS-TSIG contexts made from
 * it, one per nameserver, shared by every challenge of the issuer. Challenges lease it while they
 * send; once retired (replaced, expired, evicted) its contexts are closed — the servers asked to
 * forget them (TKEY delete) — when the last lease ends, on the closer's thread, never on a
 * request's.
 */
final class KerberosLogin {
  private static final Logger log = LoggerFactory.getLogger(KerberosLogin.class);

  /** The servers' address and transport, as the batcher's lanes tell them apart. */
  private record Server(
      Nameserver nameserver, Transport transport, TlsSettings tls, Duration timeout) {}

  private final KerberosIdentity identity;
  private final IssuerCredential.Kerberos settings;
  private final Name algorithm;
  private final Instant renewAt;
  private final Clock clock;
  private final Executor closer;
  private final Map<Server, GssTsigContext> contexts = new ConcurrentHashMap<>();
  private int leases; // guarded by this
  private boolean retired; // guarded by this
  private volatile boolean closed;

  /**
   * @param renewAt when the login is to be replaced: before its ticket-granting ticket expires
   * @param closer where the contexts are closed (their TKEY deletes wait for answers)
   */
  KerberosLogin(
      KerberosIdentity identity,
      IssuerCredential.Kerberos settings,
      Instant renewAt,
      Clock clock,
      Executor closer) {
    this.identity = identity;
    this.settings = settings;
    this.algorithm = Name.fromConstantString(settings.algorithm().dnsName());
    this.renewAt = renewAt;
    this.clock = clock;
    this.closer = closer;
  }

  /** The client principal, {@code name@REALM}. */
  String principal() {
    return identity.principal();
  }

  /** When this login is replaced by a new one. */
  Instant renewAt() {
    return renewAt;
  }

  /**
   * The context with this server, made on first use (it negotiates with the server on its first
   * request). Only while leased.
   */
  GssTsigContext context(ServerEndpoint server) {
    return contexts.computeIfAbsent(
        new Server(server.nameserver(), server.transport(), server.tls(), server.timeout()),
        k ->
            new GssTsigContext(
                identity,
                server,
                settings.serverName(server),
                settings.servicePrincipalFor(server),
                algorithm,
                clock));
  }

  /** Whether the contexts were closed (tests). */
  boolean closed() {
    return closed;
  }

  /** Takes a lease for one challenge; false once retired (the caller looks up the current one). */
  synchronized boolean lease() {
    if (retired) {
      return false;
    }
    leases++;
    return true;
  }

  /** Ends a lease; the last one of a retired login closes its contexts. */
  void release() {
    boolean close;
    synchronized (this) {
      leases--;
      close = retired && leases == 0;
    }
    if (close) {
      closeLater();
    }
  }

  /** No new leases; the contexts are closed now, or when the last lease ends. */
  void retire() {
    boolean close;
    synchronized (this) {
      if (retired) {
        return;
      }
      retired = true;
      close = leases == 0;
    }
    if (close) {
      closeLater();
    }
  }

  private void closeLater() {
    try {
      closer.execute(this::closeContexts);
    } catch (RejectedExecutionException e) {
      closeContexts(); // the webhook is shutting down: no request is waiting for this thread
    }
  }

  private void closeContexts() {
    contexts.values().forEach(GssTsigContext::close);
    closed = true;
    log.debug("closed the {} GSS-TSIG context(s) of {}", contexts.size(), this);
  }

  @Override
  public String toString() {
    return "KerberosLogin[" + identity.principal() + ", renew at " + renewAt + "]";
  }
}
