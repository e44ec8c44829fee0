package io.dnsupdate.config;

import java.util.Collection;
import java.util.Optional;
import java.util.TreeSet;
import org.xbill.DNS.Name;

/**
 * BIND 9 for a GSS-TSIG issuer: the {@code tkey-gssapi-keytab} option that lets named accept
 * Kerberos-authenticated TKEY exchanges, and one {@code update-policy} {@code name} grant on the
 * client principal per challenge name. Nothing secret goes in (principal and names only), so the
 * operator can publish it in a ConfigMap. Deterministic: names in DNS canonical order.
 */
public final class GssBindConfigRenderer {
  /** The keytab path shown in the option; the admin's own path replaces it. */
  static final String KEYTAB_PATH = "/etc/bind/dns.keytab";

  private GssBindConfigRenderer() {}

  /**
   * The grant lines: {@code grant <principal> name <challenge name> TXT;} each. BIND names a
   * GSS-TSIG signer by its Kerberos principal ({@code name@REALM}) where a TSIG signer has its key
   * name; {@code name} allows TXT records at exactly that name.
   */
  public static String grants(String principal, Collection<Name> challengeNames) {
    StringBuilder out = new StringBuilder();
    for (Name n : BindConfigRenderer.sorted(challengeNames)) {
      out.append("grant ").append(principal).append(" name ").append(n).append(" TXT;\n");
    }
    return out.toString();
  }

  /**
   * The whole snippet: the options line with the service principals the keytab must hold, and the
   * zone's {@code update-policy} block.
   *
   * @param issuer how to name the issuer in the comments ({@code namespace/name})
   * @param servicePrincipals the nameservers' principals, as the webhook asks for them
   * @param zone the zone holding the names, when the spec names it
   */
  public static String snippet(
      String issuer,
      String principal,
      Collection<String> servicePrincipals,
      Optional<Name> zone,
      Collection<Name> challengeNames) {
    StringBuilder out = new StringBuilder();
    out.append("// ").append(BindConfigRenderer.HEADER);
    out.append("BIND 9 configuration for GSS-TSIG DnsUpdateIssuer ").append(issuer).append('\n');
    out.append("// The issuer signs as Kerberos principal ").append(principal).append(".\n\n");
    out.append("// 1. In options { ... }: the keytab of the nameserver's own service principal\n");
    out.append("//    (the path is yours; the file must be readable by named). It must hold:\n");
    for (String service : new TreeSet<>(servicePrincipals)) {
      out.append("//      ").append(service).append('\n');
    }
    out.append("tkey-gssapi-keytab \"").append(KEYTAB_PATH).append("\";\n\n");
    out.append("// 2. In the zone statement of ");
    out.append(
        zone.map(z -> "zone " + BindConfigRenderer.absolute(z))
            .orElse(
                "the zone that holds the names\n//    (status.zone shows the zone the probe found)"));
    out.append(":\n");
    out.append(
        "//    one \"name\" grant per challenge name allows TXT records at exactly that name\n");
    out.append("//    (a zone cannot have both update-policy and allow-update).\n");
    String grants = grants(principal, challengeNames);
    out.append("update-policy {\n");
    if (grants.isEmpty()) {
      out.append("\t// no valid domain in the issuer's spec: nothing to grant\n");
    }
    grants.lines().forEach(l -> out.append('\t').append(l).append('\n'));
    out.append("};\n");
    return out.toString();
  }
}
