package io.dnsupdate.operator.issuer;

import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.dns.TsigCredentials;

/**
 * One evaluation of an issuer: the outcome, and the TSIG keys it used (null for a Kerberos issuer
 * or when none was read), whose secrets are redacted from the message before it goes anywhere.
 */
record Evaluation(IssuerOutcome outcome, KeyMaterial keys) {
  TsigCredentials current() {
    return keys == null ? null : keys.current();
  }

  TsigCredentials previous() {
    return keys == null ? null : keys.previous();
  }
}
