package io.dnsupdate.dns.gss;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Who to log in as: a Kerberos principal ({@code name@REALM}), the keytab file holding its keys,
 * and the KDCs of its realm ({@code host} or {@code host:port}; empty: found by DNS SRV records).
 * The keytab is a path, never its bytes, so this record holds no secret.
 */
public record KerberosCredentials(String principal, Path keytab, List<String> kdcs) {

  public KerberosCredentials {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(keytab, "keytab");
    kdcs = List.copyOf(kdcs);
    int at = principal.lastIndexOf('@');
    if (at <= 0 || at == principal.length() - 1) {
      throw new IllegalArgumentException(
          "Kerberos principal '" + principal + "' must name its realm: name@REALM");
    }
    for (String kdc : kdcs) {
      if (kdc.isBlank() || kdc.chars().anyMatch(c -> Character.isWhitespace(c) || c == '}')) {
        throw new IllegalArgumentException("KDC address '" + kdc + "' is not host or host:port");
      }
    }
  }

  /** The realm, from the principal (the part after the last {@code @}). */
  public String realm() {
    return principal.substring(principal.lastIndexOf('@') + 1);
  }
}
