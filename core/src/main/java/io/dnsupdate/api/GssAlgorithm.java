package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code spec.kerberos.algorithm} values of a DnsUpdateIssuer: GSS-TSIG algorithm names. */
public enum GssAlgorithm {
  /** RFC 3645's name; BIND and Windows accept it. The default. */
  @JsonProperty("gss-tsig")
  GSS_TSIG("gss-tsig."),
  /** The name older Windows DNS servers sign with. */
  @JsonProperty("gss.microsoft.com")
  GSS_MICROSOFT("gss.microsoft.com.");

  /** The CRD default; a compile-time constant for {@code @Default}. */
  public static final String DEFAULT_NAME = "gss-tsig";

  private final String dnsName;

  GssAlgorithm(String dnsName) {
    this.dnsName = dnsName;
  }

  /** The algorithm name as it appears in TKEY and TSIG records, fully qualified. */
  public String dnsName() {
    return dnsName;
  }

  @Override
  public String toString() {
    return dnsName.substring(0, dnsName.length() - 1);
  }
}
