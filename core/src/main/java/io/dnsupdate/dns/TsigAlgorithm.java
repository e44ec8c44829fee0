package io.dnsupdate.dns;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/** The TSIG HMAC algorithms we sign with, by the names BIND's configuration uses. */
public enum TsigAlgorithm {
  HMAC_SHA256("hmac-sha256", TSIG.HMAC_SHA256, 32, false),
  HMAC_SHA384("hmac-sha384", TSIG.HMAC_SHA384, 48, false),
  HMAC_SHA512("hmac-sha512", TSIG.HMAC_SHA512, 64, false),
  /** Legacy: only for nameservers that cannot do better, and only when explicitly allowed. */
  HMAC_SHA1("hmac-sha1", TSIG.HMAC_SHA1, 20, true),
  /** Legacy: only for nameservers that cannot do better, and only when explicitly allowed. */
  HMAC_MD5("hmac-md5", TSIG.HMAC_MD5, 16, true);

  public static final TsigAlgorithm DEFAULT = HMAC_SHA256;

  private final String bindName;
  private final Name dnsName;
  private final int outputLength;
  private final boolean legacy;

  TsigAlgorithm(String bindName, Name dnsName, int outputLength, boolean legacy) {
    this.bindName = bindName;
    this.dnsName = dnsName;
    this.outputLength = outputLength;
    this.legacy = legacy;
  }

  /** The name as written in a BIND {@code key} clause, e.g. {@code hmac-sha256}. */
  public String bindName() {
    return bindName;
  }

  /** The algorithm name carried in the TSIG record. */
  public Name dnsName() {
    return dnsName;
  }

  /** HMAC output length in bytes; also the length of the keys we generate (RFC 2104 §3). */
  public int outputLength() {
    return outputLength;
  }

  public boolean legacy() {
    return legacy;
  }

  /**
   * Parses a BIND algorithm name (case-insensitive; {@code hmac-md5.sig-alg.reg.int} accepted).
   *
   * @param allowLegacy whether hmac-sha1 and hmac-md5 are acceptable
   * @throws IllegalArgumentException for an unknown or a refused legacy algorithm
   */
  public static TsigAlgorithm parse(String name, boolean allowLegacy) {
    if (name == null || name.isBlank()) {
      return DEFAULT;
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.equals("hmac-md5.sig-alg.reg.int")) {
      n = "hmac-md5";
    }
    for (TsigAlgorithm a : values()) {
      if (a.bindName.equals(n)) {
        if (a.legacy && !allowLegacy) {
          throw new IllegalArgumentException(
              "TSIG algorithm "
                  + a.bindName
                  + " is weak and refused by default; use hmac-sha256, or allow legacy algorithms"
                  + " explicitly for a nameserver that cannot do better");
        }
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown TSIG algorithm '"
            + name
            + "'; expected one of "
            + Arrays.stream(values())
                .map(TsigAlgorithm::bindName)
                .collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return bindName;
  }
}
