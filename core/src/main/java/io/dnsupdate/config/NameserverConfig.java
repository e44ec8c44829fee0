package io.dnsupdate.config;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.dns.TsigCredentials;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xbill.DNS.Name;

/**
 * What a nameserver needs to accept a key for exactly the challenge names of the issuers that use
 * it, for BIND ({@link BindConfigRenderer}), Knot DNS ({@link KnotConfigRenderer}) and PowerDNS
 * ({@link PowerDnsConfigRenderer}), as it goes into the nameserver-config Secret. Deterministic
 * (names in DNS canonical order), so an unchanged input never rewrites the Secret. Holds the key:
 * {@link #toString()} shows nothing of it.
 *
 * @param namedConf BIND {@code key} clause
 * @param updatePolicy BIND {@code update-policy} grant lines
 * @param knotConf Knot DNS {@code key:} and {@code acl:} sections
 * @param powerDns PowerDNS {@code pdnsutil} commands
 * @param powerDnsPolicy PowerDNS {@code lua-dnsupdate-policy-script} part for this key
 */
public record NameserverConfig(
    String namedConf,
    String updatePolicy,
    String knotConf,
    String powerDns,
    String powerDnsPolicy) {

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
        BindConfigRenderer.bindKeyClause(key),
        BindConfigRenderer.updatePolicy(key.keyName(), challengeNames),
        KnotConfigRenderer.knotConf(key, challengeNames, zones),
        PowerDnsConfigRenderer.commands(key, challengeNames, zones),
        PowerDnsConfigRenderer.policy(key, challengeNames));
  }

  /** Secret {@code stringData}: {@code named.conf}, {@code update-policy}, ... */
  public Map<String, String> toStringData() {
    Map<String, String> out = new TreeMap<>();
    out.put(ApiConstants.NAMESERVER_CONFIG_NAMED_CONF, namedConf);
    out.put(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, updatePolicy);
    out.put(ApiConstants.NAMESERVER_CONFIG_KNOT, knotConf);
    out.put(ApiConstants.NAMESERVER_CONFIG_PDNS, powerDns);
    out.put(ApiConstants.NAMESERVER_CONFIG_PDNS_POLICY, powerDnsPolicy);
    return out;
  }

  @Override
  public String toString() {
    return "NameserverConfig[<redacted: holds a TSIG secret>]";
  }
}
