package io.dnsupdate.e2e.acme;

/**
 * One dns-01 challenge as cert-manager hands it to a solver.
 *
 * @param dnsName the identifier without {@code *.}, as cert-manager's {@code dnsName}
 * @param fqdn {@code _acme-challenge.<dnsName>.}, as cert-manager's {@code resolvedFQDN}
 * @param key the TXT value (the key authorization digest)
 * @param wildcard whether the order asked for {@code *.<dnsName>}
 */
public record DnsChallenge(String dnsName, String fqdn, String key, boolean wildcard) {
  @Override
  public String toString() {
    return (wildcard ? "*." : "") + dnsName + " at " + fqdn;
  }
}
