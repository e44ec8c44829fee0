package io.dnsupdate.dns;

/**
 * How {@link DnsExchange} signs a request and checks the answer: with a shared TSIG key (HMAC, RFC
 * 8945, through dnsjava) or with a Kerberos security context (GSS-TSIG, RFC 3645). The pool picks
 * each message's id and both MACs cover it, so either kind signs a fresh copy per id.
 */
sealed interface RequestSigner permits RequestSigner.Hmac, GssTsigContext {

  /** Who signs, as error messages name it: {@code key 'name.'} or {@code principal 'p@REALM'}. */
  String who();

  /** A TSIG key: dnsjava's HMAC signer, made per request with the exchange's clock. */
  record Hmac(TsigCredentials credentials) implements RequestSigner {
    String keyName() {
      return credentials.keyName().toString();
    }

    @Override
    public String who() {
      return "key '" + keyName() + "'";
    }
  }
}
