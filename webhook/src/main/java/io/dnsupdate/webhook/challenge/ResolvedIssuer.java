package io.dnsupdate.webhook.challenge;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.IssuerSettings;

/**
 * An issuer a challenge may use: Ready, allowing the challenge's name, with its parsed settings and
 * what signs for it. Closed when the challenge is done: a Kerberos login is leased meanwhile.
 */
record ResolvedIssuer(DnsUpdateIssuer issuer, IssuerSettings settings, Credential credential)
    implements AutoCloseable {

  /** What signs the issuer's messages. */
  sealed interface Credential {}

  /** The TsigKey and the key material read from its Secret. */
  record Key(TsigKey tsigKey, KeyMaterialCache.KeyHandle handle) implements Credential {}

  /** A Kerberos login, leased to this challenge. */
  record Login(KerberosLogin login) implements Credential {}

  /** namespace/name, as messages show it. */
  String id() {
    return issuer.getMetadata().getNamespace() + "/" + issuer.getMetadata().getName();
  }

  /** Ends the lease of a Kerberos login. */
  @Override
  public void close() {
    if (credential instanceof Login l) {
      l.login().release();
    }
  }
}
