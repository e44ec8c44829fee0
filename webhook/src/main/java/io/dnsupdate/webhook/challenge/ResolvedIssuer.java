package io.dnsupdate.webhook.challenge;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.IssuerSettings;

/**
 * An issuer a challenge may use: Ready, allowing the challenge's name, with its parsed settings and
 * the key material read from its TsigKey's Secret.
 */
record ResolvedIssuer(
    DnsUpdateIssuer issuer,
    IssuerSettings settings,
    TsigKey tsigKey,
    KeyMaterialCache.KeyHandle key) {

  /** namespace/name, as messages show it. */
  String id() {
    return issuer.getMetadata().getNamespace() + "/" + issuer.getMetadata().getName();
  }
}
