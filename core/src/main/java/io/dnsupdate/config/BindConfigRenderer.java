package io.dnsupdate.config;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.dns.TsigCredentials;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;

/**
 * Renders what a nameserver needs to accept a key for exactly the challenge names of the issuers
 * that use it: a BIND {@code key} clause and {@code update-policy} grants, a Knot DNS {@code
 * key}/{@code acl} snippet and PowerDNS commands. Output is deterministic (names in DNS canonical
 * order) so an unchanged input never rewrites the Secret it goes into.
 */
public final class BindConfigRenderer {
  private static final String HEADER = "dnsupdate-operator: ";

  private BindConfigRenderer() {}

  /**
   * The four snippets as they go into the nameserver-config Secret. Holds the key: {@link
   * #toString()} shows sizes only.
   */
  public record NameserverConfig(
      String namedConf, String updatePolicy, String knotConf, String powerDns) {
    /** Secret {@code stringData}: {@code named.conf}, {@code update-policy}, ... */
    public Map<String, String> toStringData() {
      Map<String, String> out = new TreeMap<>();
      out.put(ApiConstants.NAMESERVER_CONFIG_NAMED_CONF, namedConf);
      out.put(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, updatePolicy);
      out.put(ApiConstants.NAMESERVER_CONFIG_KNOT, knotConf);
      out.put(ApiConstants.NAMESERVER_CONFIG_PDNS, powerDns);
      return out;
    }

    @Override
    public String toString() {
      return "NameserverConfig[<redacted: holds a TSIG secret>]";
    }
  }

  /** Everything, for a key and the challenge names granted to it; zones unknown. */
  public static NameserverConfig render(TsigCredentials key, Collection<Name> challengeNames) {
    return render(key, challengeNames, List.of());
  }

  /**
   * Everything, for a key, the challenge names granted to it and the zones holding them (as
   * resolved by the issuers' probes; may be empty when not known yet).
   */
  public static NameserverConfig render(
      TsigCredentials key, Collection<Name> challengeNames, Collection<Name> zones) {
    return new NameserverConfig(
        bindKeyClause(key),
        updatePolicy(key.keyName(), challengeNames),
        knotConf(key, challengeNames),
        powerDns(key, challengeNames, zones));
  }

  /** BIND's {@code key "NAME" { algorithm ...; secret "..."; };}, as tsig-keygen prints it. */
  public static String bindKeyClause(TsigCredentials key) {
    return "// "
        + HEADER
        + "TSIG key "
        + key.keyName()
        + " (fingerprint "
        + key.fingerprint()
        + ")\n"
        + "key \""
        + key.keyName()
        + "\" {\n"
        + "\talgorithm "
        + key.algorithm().bindName()
        + ";\n"
        + "\tsecret \""
        + key.secretBase64()
        + "\";\n"
        + "};\n";
  }

  /** BIND {@code update-policy} grant lines: one {@code name} grant per challenge name. */
  public static String updatePolicy(Name keyName, Collection<Name> challengeNames) {
    StringBuilder out = new StringBuilder();
    out.append("// ").append(HEADER).append("update-policy grants for TSIG key ");
    out.append(keyName).append('\n');
    out.append("// Put each line into the update-policy { ... }; block of the zone that holds\n");
    out.append("// the name (a zone cannot have both update-policy and allow-update).\n");
    out.append(
        "// One \"name\" grant per challenge name allows TXT records at exactly that name.\n");
    out.append("// Not \"wildcard\": \"wildcard *.example.com. TXT\" would allow TXT records at\n");
    out.append(
        "// every name below the domain, and \"_acme-challenge.*.example.com.\" cannot be\n");
    out.append(
        "// written because \"*\" matches only whole leftmost labels. For a subdomain, list\n");
    out.append("// it in the DnsUpdateIssuer's domains and it gets a grant of its own.\n");
    TreeSet<Name> names = sorted(challengeNames);
    if (names.isEmpty()) {
      out.append("// No DnsUpdateIssuer uses this key yet: nothing to grant.\n");
    }
    for (Name n : names) {
      out.append("grant ").append(keyName).append(" name ").append(n).append(" TXT;\n");
    }
    return out.toString();
  }

  /** Knot DNS {@code key:} and an {@code acl:} allowing TXT updates at exactly the names. */
  public static String knotConf(TsigCredentials key, Collection<Name> challengeNames) {
    String aclId = "dnsupdate-" + key.keyName().toString(true);
    StringBuilder out = new StringBuilder();
    out.append("# ").append(HEADER).append("TSIG key ").append(key.keyName());
    out.append(" (fingerprint ").append(key.fingerprint()).append(")\n");
    out.append("key:\n");
    out.append("  - id: ").append(key.keyName()).append('\n');
    out.append("    algorithm: ").append(key.algorithm().bindName()).append('\n');
    out.append("    secret: ").append(key.secretBase64()).append('\n');
    TreeSet<Name> names = sorted(challengeNames);
    if (names.isEmpty()) {
      out.append("\n# No DnsUpdateIssuer uses this key yet: no acl.\n");
      return out.toString();
    }
    out.append('\n');
    out.append(
        "# TXT updates at exactly these names (Knot DNS 3.1 or later). Add the acl to each\n");
    out.append("# zone holding them:  zone: [ { domain: example.com., acl: [ ");
    out.append(aclId).append(" ] } ]\n");
    out.append("acl:\n");
    out.append("  - id: ").append(aclId).append('\n');
    out.append("    key: ").append(key.keyName()).append('\n');
    out.append("    action: update\n");
    out.append("    update-type: [ TXT ]\n");
    out.append("    update-owner: name\n");
    out.append("    update-owner-match: equal\n");
    out.append("    update-owner-name: [ ");
    out.append(names.stream().map(Name::toString).collect(Collectors.joining(", ")));
    out.append(" ]\n");
    return out.toString();
  }

  /**
   * PowerDNS: {@code pdnsutil import-tsig-key} and {@code TSIG-ALLOW-DNSUPDATE} metadata for each
   * zone, or a template line when the zones are not known yet.
   */
  public static String powerDns(
      TsigCredentials key, Collection<Name> challengeNames, Collection<Name> zones) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(HEADER).append("TSIG key ").append(key.keyName());
    out.append(" (fingerprint ").append(key.fingerprint()).append(")\n");
    out.append("pdnsutil import-tsig-key ").append(key.keyName()).append(' ');
    out.append(key.algorithm().bindName()).append(" '").append(key.secretBase64()).append("'\n");
    out.append("# Let the key update the zones holding the challenge names. Needs dnsupdate=yes\n");
    out.append(
        "# and the webhook's addresses in allow-dnsupdate-from (or ALLOW-DNSUPDATE-FROM).\n");
    TreeSet<Name> zoneSet = sorted(zones);
    if (zoneSet.isEmpty()) {
      out.append("# Zones not known yet; for each zone holding the names below:\n");
      out.append("# pdnsutil add-meta ZONE TSIG-ALLOW-DNSUPDATE ").append(key.keyName());
      out.append('\n');
    }
    for (Name zone : zoneSet) {
      out.append("pdnsutil add-meta ").append(zone).append(" TSIG-ALLOW-DNSUPDATE ");
      out.append(key.keyName()).append('\n');
    }
    out.append(
        "# PowerDNS lets the key change the whole zone: it cannot limit a key to names and\n");
    out.append("# TXT without a server-wide lua-dnsupdate-policy-script. For least privilege,\n");
    out.append("# delegate each _acme-challenge name to a zone of its own. Challenge names:\n");
    TreeSet<Name> names = sorted(challengeNames);
    if (names.isEmpty()) {
      out.append("#   (none: no DnsUpdateIssuer uses this key yet)\n");
    }
    for (Name n : names) {
      out.append("#   ").append(n).append('\n');
    }
    return out.toString();
  }

  private static Name absolute(Name n) {
    if (n.isAbsolute()) {
      return n;
    }
    try {
      return Name.concatenate(n, Name.root);
    } catch (NameTooLongException e) {
      throw new IllegalArgumentException("'" + n + "' is too long for a DNS name");
    }
  }

  private static TreeSet<Name> sorted(Collection<Name> names) {
    TreeSet<Name> out = new TreeSet<>();
    if (names != null) {
      for (Name n : names) {
        out.add(absolute(n).canonicalize());
      }
    }
    return out;
  }
}
