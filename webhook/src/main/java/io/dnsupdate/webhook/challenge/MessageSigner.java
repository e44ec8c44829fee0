package io.dnsupdate.webhook.challenge;

import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.DnsUpdateClient;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TsigCredentials;
import java.time.Clock;

/** What signs an issuer's messages to a server: a TSIG key, or a Kerberos login's context. */
sealed interface MessageSigner {

  /**
   * Who signs: a key name or a principal. What a server shows may depend on it (views, grants), so
   * what is learnt from a server (zone cuts, NS sets) is kept per signer.
   */
  Object who();

  /** Equal for messages to this server that may share one UPDATE (same key, same context). */
  Object lane(ServerEndpoint server);

  DnsUpdateClient updates(ServerEndpoint server, Clock clock);

  DnsQuery queries(ServerEndpoint server, Clock clock);

  /** A TSIG key (HMAC). */
  record Key(TsigCredentials credentials) implements MessageSigner {
    @Override
    public Object who() {
      return credentials.keyName();
    }

    @Override
    public Object lane(ServerEndpoint server) {
      return credentials;
    }

    @Override
    public DnsUpdateClient updates(ServerEndpoint server, Clock clock) {
      return new DnsUpdateClient(server, credentials, clock);
    }

    @Override
    public DnsQuery queries(ServerEndpoint server, Clock clock) {
      return new DnsQuery(server, credentials, clock);
    }
  }

  /** A Kerberos login: its GSS-TSIG context with each server (the clock is the context's). */
  record Kerberos(KerberosLogin login) implements MessageSigner {
    @Override
    public Object who() {
      return login.principal();
    }

    @Override
    public Object lane(ServerEndpoint server) {
      return login.context(server); // one context, one request in flight: one lane
    }

    @Override
    public DnsUpdateClient updates(ServerEndpoint server, Clock clock) {
      return new DnsUpdateClient(login.context(server));
    }

    @Override
    public DnsQuery queries(ServerEndpoint server, Clock clock) {
      return new DnsQuery(login.context(server));
    }
  }
}
