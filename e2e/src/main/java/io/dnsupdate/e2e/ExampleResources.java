package io.dnsupdate.e2e;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.testkit.RepositoryFiles;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The resources users start from, read from the repository's {@code examples/} and pointed at the
 * local nameserver: the end-to-end test and the demo fail when the examples stop working.
 */
public final class ExampleResources {
  private ExampleResources() {}

  /** The repository's {@code examples/} folder. */
  public static Path examplesDir() {
    return RepositoryFiles.find("examples");
  }

  /** examples/tsigkey.yaml in {@code namespace}, rotating every {@code rotation} if not null. */
  public static TsigKey tsigKey(String namespace, String rotationPeriod, String overlap)
      throws IOException {
    TsigKey key = load("tsigkey.yaml", TsigKey.class);
    key.getMetadata().setNamespace(namespace);
    key.getSpec().setKeyName(TsigKey.defaultKeyName(key.getMetadata().getName(), namespace));
    if (rotationPeriod != null) {
      key.getSpec().getRotation().setPeriod(rotationPeriod);
      key.getSpec().getRotation().setOverlap(overlap);
    }
    return key;
  }

  /**
   * examples/dnsupdateissuer.yaml in {@code namespace}, sending UPDATEs to {@code nameserver} for
   * {@code domain} (its own zone) and {@code subdomains} below it, and checking propagation on the
   * same server. Each subdomain is listed because BIND grants exact names only: the operator
   * renders one update-policy grant per listed domain.
   */
  public static DnsUpdateIssuer issuer(
      String namespace, String nameserver, String domain, List<String> subdomains)
      throws IOException {
    DnsUpdateIssuer issuer = load("dnsupdateissuer.yaml", DnsUpdateIssuer.class);
    issuer.getMetadata().setNamespace(namespace);
    issuer.getSpec().setNameservers(List.of(nameserver));
    issuer.getSpec().setZone(domain + ".");
    List<String> domains = new java.util.ArrayList<>(List.of(domain));
    domains.addAll(subdomains);
    issuer.getSpec().setDomains(domains);
    issuer.getSpec().getPropagation().setNameservers(List.of(nameserver));
    return issuer;
  }

  /**
   * examples/dnsupdateissuer.yaml for your own nameserver: the zone is discovered by SOA queries
   * and propagation is checked on the zone's NS set.
   */
  public static DnsUpdateIssuer issuerForYourNameserver(
      String namespace, String nameserver, String domain, List<String> subdomains)
      throws IOException {
    DnsUpdateIssuer issuer = issuer(namespace, nameserver, domain, subdomains);
    issuer.getSpec().setZone(null);
    issuer.getSpec().getPropagation().setNameservers(null);
    return issuer;
  }

  /**
   * examples/dnsupdateissuer-kerberos.yaml in {@code namespace}, logging in as {@code principal} at
   * {@code kdcs} and sending UPDATEs to {@code nameserver} (an address: so its principal is given
   * as {@code servicePrincipal}) for {@code domains} of {@code zone}, checking propagation on the
   * same server.
   */
  public static DnsUpdateIssuer kerberosIssuer(
      String namespace,
      String nameserver,
      String zone,
      List<String> domains,
      String principal,
      List<String> kdcs,
      String servicePrincipal)
      throws IOException {
    DnsUpdateIssuer issuer = load("dnsupdateissuer-kerberos.yaml", DnsUpdateIssuer.class);
    issuer.getMetadata().setNamespace(namespace);
    issuer.getSpec().setNameservers(List.of(nameserver));
    issuer.getSpec().setZone(zone);
    issuer.getSpec().setDomains(domains);
    issuer.getSpec().getKerberos().setPrincipal(principal);
    issuer.getSpec().getKerberos().setKdcs(kdcs);
    issuer.getSpec().getKerberos().setServicePrincipal(servicePrincipal);
    issuer.getSpec().getPropagation().setNameservers(List.of(nameserver));
    return issuer;
  }

  private static <T> T load(String file, Class<T> type) throws IOException {
    try (InputStream in = Files.newInputStream(examplesDir().resolve(file))) {
      return Serialization.unmarshal(in, type);
    }
  }
}
