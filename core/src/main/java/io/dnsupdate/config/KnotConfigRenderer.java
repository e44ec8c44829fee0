package io.dnsupdate.config;

import static io.dnsupdate.config.BindConfigRenderer.HEADER;
import static io.dnsupdate.config.BindConfigRenderer.sorted;

import io.dnsupdate.dns.TsigCredentials;
import java.util.Collection;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;

/**
 * Knot DNS (3.1 or later): a {@code key:} section and an {@code acl:} that lets the key update TXT
 * records at exactly the challenge names and nothing else, to include into knot.conf as it is, and
 * the {@code zone:} lines (commented: a zone has one entry, the user's) that attach the acl to the
 * zones holding the names. Block style throughout: Knot 3.2 refuses a flow-style {@code zone: [ {
 * ... } ]}.
 */
public final class KnotConfigRenderer {
  private KnotConfigRenderer() {}

  /** The id of the key's acl: {@code dnsupdate-} and the key name without its final dot. */
  public static String aclId(Name keyName) {
    return "dnsupdate-" + BindConfigRenderer.absolute(keyName).toString(true);
  }

  /** The snippet for knot.conf. */
  public static String knotConf(
      TsigCredentials key, Collection<Name> challengeNames, Collection<Name> zones) {
    String aclId = aclId(key.keyName());
    StringBuilder out = new StringBuilder();
    out.append("# ").append(HEADER).append("TSIG key ").append(key.keyName());
    out.append(" (fingerprint ").append(key.fingerprint()).append(")\n");
    out.append(
        "# Include this file in knot.conf (include: /etc/knot/dnsupdate-KEY.conf), attach\n");
    out.append("# the acl to the zones as shown at the end, then: knotc reload\n");
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
        "# TXT records at exactly these names, nothing else (update-owner needs Knot 3.1+).\n");
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
    out.append('\n');
    out.append(
        "# Knot takes one zone: entry per zone, so add the acl id to the acl list of each\n");
    out.append("# zone that holds the names (keeping the ids it has), in block style:\n");
    TreeSet<Name> zoneSet = sorted(zones);
    out.append("#zone:\n");
    if (zoneSet.isEmpty()) {
      out.append("#  - domain: ZONE.   # not known yet: the issuers' status.zone names it\n");
      out.append("#    acl: [ ").append(aclId).append(" ]\n");
    }
    for (Name zone : zoneSet) {
      out.append("#  - domain: ").append(zone).append('\n');
      out.append("#    acl: [ ").append(aclId).append(" ]\n");
    }
    return out.toString();
  }
}
