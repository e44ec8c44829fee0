package io.dnsupdate.config;

import static io.dnsupdate.config.BindConfigRenderer.HEADER;
import static io.dnsupdate.config.BindConfigRenderer.sorted;

import io.dnsupdate.dns.TsigCredentials;
import java.util.Collection;
import java.util.TreeSet;
import org.xbill.DNS.Name;

/**
 * PowerDNS Authoritative (4.1 or later): {@code pdnsutil} commands that install the key, and this
 * key's part of a {@code lua-dnsupdate-policy-script}.
 *
 * <p>PowerDNS has no per-key grants of its own: a key allowed to update a zone
 * (TSIG-ALLOW-DNSUPDATE) may change every record in it. Only a Lua update policy limits it, and
 * there is one per server, which then decides every update alone (PowerDNS 4.7 consults neither
 * allow-dnsupdate-from nor TSIG-ALLOW-DNSUPDATE once it is set). So each TsigKey renders a part
 * that only adds its grants to a shared table and defines the same {@code updatepolicy}: the parts
 * of every TsigKey that updates one server concatenate, in any order, into that server's script.
 * One part per key, rather than one artefact for all keys, because keys live in different
 * namespaces (tenants) and go to different servers, which the operator cannot tell apart; each part
 * stays in its own TsigKey's Secret.
 */
public final class PowerDnsConfigRenderer {
  /** The Lua table the parts fill: key name (lower case, final dot) to challenge names. */
  static final String GRANTS = "dnsupdate_operator_grants";

  /** A function users may define for updates that are not signed by a TsigKey's key. */
  static final String OTHERS = "dnsupdate_operator_other_updates";

  private PowerDnsConfigRenderer() {}

  /** The {@code pdnsutil} commands; safe to run again (on rotation they replace the secret). */
  public static String commands(
      TsigCredentials key, Collection<Name> challengeNames, Collection<Name> zones) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(HEADER).append("TSIG key ").append(key.keyName());
    out.append(" (fingerprint ").append(key.fingerprint()).append(")\n");
    out.append("# Run these commands where pdnsutil reaches the primary's backend. Running them\n");
    out.append(
        "# again (after a key rotation) replaces the secret and the metadata, nothing more.\n");
    out.append("pdnsutil import-tsig-key ").append(key.keyName()).append(' ');
    out.append(key.algorithm().bindName()).append(" '").append(key.secretBase64()).append("'\n");
    out.append(
        "# Let the key update the zones holding the challenge names. set-meta replaces the\n");
    out.append("# zone's list: if other keys update a zone too, name them on its line as well.\n");
    TreeSet<Name> zoneSet = sorted(zones);
    if (zoneSet.isEmpty()) {
      out.append("# (zones not known yet: the issuers' status.zone names them)\n");
      out.append("# pdnsutil set-meta ZONE TSIG-ALLOW-DNSUPDATE ").append(key.keyName());
      out.append('\n');
    }
    for (Name zone : zoneSet) {
      out.append("pdnsutil set-meta ").append(zone).append(" TSIG-ALLOW-DNSUPDATE ");
      out.append(key.keyName()).append('\n');
    }
    out.append(
        "# LEAST PRIVILEGE: PowerDNS lets a key that may update a zone change every record\n");
    out.append(
        "# in it, unless a Lua update policy decides. Install pdns-policy.lua of this Secret:\n");
    out.append(
        "# concatenate the pdns-policy.lua of every TsigKey updating this server into one\n");
    out.append("# file, set in pdns.conf\n");
    out.append("#   dnsupdate=yes\n");
    out.append("#   lua-dnsupdate-policy-script=/etc/powerdns/dnsupdate-policy.lua\n");
    out.append("# and restart pdns_server. The policy then decides every update of the server\n");
    out.append("# alone (allow-dnsupdate-from and TSIG-ALLOW-DNSUPDATE are no longer consulted)\n");
    out.append("# and lets this key change TXT records at exactly:\n");
    TreeSet<Name> names = sorted(challengeNames);
    if (names.isEmpty()) {
      out.append("#   (nothing: no DnsUpdateIssuer uses this key yet)\n");
    }
    for (Name n : names) {
      out.append("#   ").append(n).append('\n');
    }
    return out.toString();
  }

  /**
   * This key's part of the server's {@code lua-dnsupdate-policy-script}: TXT changes at exactly its
   * challenge names. Updates signed by a key no part names, and unsigned ones, are refused unless
   * the script also defines {@code dnsupdate_operator_other_updates(input)} and it returns true.
   */
  public static String policy(TsigCredentials key, Collection<Name> challengeNames) {
    String keyName = BindConfigRenderer.absolute(key.keyName()).canonicalize().toString();
    StringBuilder out = new StringBuilder();
    out.append("-- ").append(HEADER).append("PowerDNS update policy for TSIG key ");
    out.append(keyName).append(" (no secret in here)\n");
    out.append(
        "-- lua-dnsupdate-policy-script takes one file: concatenate this part with those of\n");
    out.append(
        "-- the other TsigKeys updating the server, in any order. Each part adds its key's\n");
    out.append(
        "-- names and defines the same updatepolicy. To allow other updates (another key,\n");
    out.append("-- unsigned ones), define ").append(OTHERS).append("(input) in a file of your\n");
    out.append("-- own, concatenated after these, returning true for what it allows.\n");
    out.append(GRANTS).append(" = ").append(GRANTS).append(" or {}\n");
    out.append("do\n");
    out.append("  local names = ").append(GRANTS).append("[\"").append(keyName);
    out.append("\"] or {}\n");
    out.append("  ").append(GRANTS).append("[\"").append(keyName).append("\"] = names\n");
    for (Name n : sorted(challengeNames)) {
      out.append("  names[\"").append(n).append("\"] = true\n");
    }
    out.append("end\n");
    out.append('\n');
    out.append(
        "-- Called once per record of an UPDATE. A record it refuses is skipped and PowerDNS\n");
    out.append("-- still answers NOERROR: dnsupdate-operator reads its changes back to notice.\n");
    out.append("function updatepolicy(input)\n");
    out.append("  local key = input:getTsigName()\n");
    out.append("  if key:countLabels() > 0 then\n");
    out.append("    local names = ").append(GRANTS).append("[key:toString():lower()]\n");
    out.append("    if names ~= nil then\n");
    out.append("      return input:getQType() == pdns.TXT\n");
    out.append("        and names[input:getQName():toString():lower()] == true\n");
    out.append("    end\n");
    out.append("  end\n");
    out.append("  if ").append(OTHERS).append(" ~= nil then\n");
    out.append("    return ").append(OTHERS).append("(input) == true\n");
    out.append("  end\n");
    out.append("  return false\n");
    out.append("end\n");
    return out.toString();
  }
}
