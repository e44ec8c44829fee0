package io.dnsupdate.config;

import io.dnsupdate.dns.TsigCredentials;
import java.util.Collection;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;

/**
 * BIND 9: the {@code key} clause and one {@code update-policy} {@code name} grant per challenge
 * name. Output is deterministic (names in DNS canonical order).
 */
public final class BindConfigRenderer {
  static final String HEADER = "dnsupdate-operator: ";

  private BindConfigRenderer() {}

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

  static Name absolute(Name n) {
    if (n.isAbsolute()) {
      return n;
    }
    try {
      return Name.concatenate(n, Name.root);
    } catch (NameTooLongException e) {
      throw new IllegalArgumentException("'" + n + "' is too long for a DNS name");
    }
  }

  /** Absolute, lower-cased and in DNS canonical order, without duplicates. */
  static TreeSet<Name> sorted(Collection<Name> names) {
    TreeSet<Name> out = new TreeSet<>();
    if (names != null) {
      for (Name n : names) {
        out.add(absolute(n).canonicalize());
      }
    }
    return out;
  }
}
