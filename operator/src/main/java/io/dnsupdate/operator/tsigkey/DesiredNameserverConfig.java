package io.dnsupdate.operator.tsigkey;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.KeySettings;
import io.dnsupdate.config.NameserverConfig;
import io.dnsupdate.dns.TsigCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The nameserver-config Secret of a TsigKey: the BIND key clause and one {@code update-policy}
 * grant per {@code _acme-challenge} name of the domains of every DnsUpdateIssuer in the namespace
 * that uses the key, plus the Knot DNS and PowerDNS equivalents (and PowerDNS' update policy). No
 * I/O.
 */
public final class DesiredNameserverConfig {
  private DesiredNameserverConfig() {}

  /** The issuers among {@code issuers} that sign with {@code key}: same namespace and name. */
  public static List<DnsUpdateIssuer> users(TsigKey key, Collection<DnsUpdateIssuer> issuers) {
    String namespace = key.getMetadata().getNamespace();
    String name = key.getMetadata().getName();
    return issuers.stream()
        .filter(i -> Objects.equals(namespace, i.getMetadata().getNamespace()))
        .filter(i -> i.getMetadata().getDeletionTimestamp() == null)
        .filter(i -> i.getSpec() != null && i.getSpec().getTsigKeyRef() != null)
        .filter(i -> name.equals(i.getSpec().getTsigKeyRef().getName()))
        .toList();
  }

  /**
   * The {@code _acme-challenge} names of the issuers' valid domains, in DNS canonical order. An
   * invalid domain grants nothing (its issuer reports InvalidSpec).
   */
  public static List<Name> challengeNames(Collection<DnsUpdateIssuer> users) {
    TreeSet<Name> names = new TreeSet<>();
    for (DnsUpdateIssuer issuer : users) {
      for (String domain : issuer.getSpec().getDomains()) {
        try {
          names.add(DomainPolicy.challengeName(DomainPolicy.validateDomain(domain)));
        } catch (IllegalArgumentException e) {
          // not granted; the issuer's own status says why
        }
      }
    }
    return List.copyOf(names);
  }

  /** The zones the issuers' probes found, for the PowerDNS commands. */
  public static List<Name> zones(Collection<DnsUpdateIssuer> users) {
    TreeSet<Name> zones = new TreeSet<>();
    for (DnsUpdateIssuer issuer : users) {
      String zone = issuer.getStatus() == null ? null : issuer.getStatus().getZone();
      if (zone != null && !zone.isBlank()) {
        try {
          zones.add(Name.fromString(zone.strip(), Name.root).canonicalize());
        } catch (TextParseException e) {
          // a zone we wrote ourselves always parses; ignore anything else
        }
      }
    }
    return List.copyOf(zones);
  }

  /** The rendered snippets for {@code current} and the issuers using {@code key}. */
  public static NameserverConfig render(
      TsigKey key, TsigCredentials current, Collection<DnsUpdateIssuer> issuers) {
    List<DnsUpdateIssuer> users = users(key, issuers);
    return NameserverConfig.render(current, challengeNames(users), zones(users));
  }

  /** The whole nameserver-config Secret, owned by {@code key}. */
  public static Secret secret(
      TsigKey key,
      KeySettings settings,
      TsigCredentials current,
      Collection<DnsUpdateIssuer> issuers) {
    Map<String, String> data = new TreeMap<>();
    render(key, current, issuers)
        .toStringData()
        .forEach(
            (k, v) ->
                data.put(
                    k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return KeySecrets.build(
        key,
        settings.nameserverConfigSecretName(),
        KeySecrets.COMPONENT_NAMESERVER_CONFIG,
        data,
        Map.of());
  }
}
