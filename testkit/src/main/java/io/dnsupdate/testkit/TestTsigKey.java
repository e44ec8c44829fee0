package io.dnsupdate.testkit;

import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;

/** A TSIG key as BIND configures it: key name, algorithm (BIND spelling) and base64 secret. */
public record TestTsigKey(String name, String algorithm, String secret) {

  /** BIND's {@code key "NAME" { algorithm A; secret "S"; };} clause. */
  public String bindKeyClause() {
    return "key \"" + name + "\" { algorithm " + algorithm + "; secret \"" + secret + "\"; };";
  }

  /** The {@code ALG:NAME:SECRET} argument of {@code nsupdate -y} and {@code dig -y}. */
  public String nsupdateArg() {
    return algorithm + ":" + name + ":" + secret;
  }

  /** The key as dnsjava signs with it. */
  public TSIG toTsig() {
    try {
      return new TSIG(TSIG.algorithmToName(algorithm), Name.fromString(name, Name.root), secret);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad key name " + name, e);
    }
  }
}
