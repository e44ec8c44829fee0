package io.dnsupdate.e2e;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's authoritative nameserver: a real named serving {@code example.test} that knows only an
 * admin key at first and learns the operator's key the way a user would teach it, from the rendered
 * nameserver-config Secret.
 */
public final class LocalNameserver implements AutoCloseable {
  public static final String ZONE = "example.test";

  private static final String ADMIN_GRANT = "grant " + TestKeys.ADMIN.name() + " zonesub ANY;";

  private final NamedServer named;
  private Path keyInclude;
  private List<String> keyGrants = List.of();
  private List<String> principalGrants = List.of();

  private LocalNameserver(NamedServer named) {
    this.named = named;
  }

  /** Starts named on 127.0.0.1 with a free port. */
  public static LocalNameserver start() {
    return new LocalNameserver(builder().start());
  }

  /**
   * As {@link #start()}, also accepting GSS-TSIG: named holds the keytab of {@link
   * KerberosKdc#DNS_SERVICE} from {@code kdc} ({@code tkey-gssapi-keytab}); principals get grants
   * by {@link #trustPrincipals}.
   */
  public static LocalNameserver start(KerberosKdc kdc) {
    return new LocalNameserver(
        builder().gssapi(kdc.keytab(KerberosKdc.DNS_SERVICE), kdc.krb5Conf()).start());
  }

  private static NamedServer.Builder builder() {
    String records =
        String.join(
            "\n",
            "$TTL 60",
            "@ IN SOA ns1." + ZONE + ". hostmaster." + ZONE + ". 1 60 60 600 60",
            "@ IN NS ns1." + ZONE + ".",
            "ns1 IN A 127.0.0.1",
            "www IN A 127.0.0.1",
            "");
    return NamedServer.builder()
        .port(0)
        .key(TestKeys.ADMIN)
        .primaryZone(ZONE, records, ADMIN_GRANT);
  }

  public NamedServer named() {
    return named;
  }

  /** {@code 127.0.0.1:PORT}, as a DnsUpdateIssuer names it. */
  public String hostPort() {
    return named.address() + ":" + named.port();
  }

  /**
   * Loads what the operator rendered: the key clause goes in as an include, the grant lines into
   * the zone's update-policy next to the admin grant; then {@code rndc reconfig}.
   *
   * @param stringData the nameserver-config Secret's data, decoded
   */
  public void trust(Map<String, String> stringData, Path workDir) throws IOException {
    String keyClause = stringData.get(ApiConstants.NAMESERVER_CONFIG_NAMED_CONF);
    String policy = stringData.get(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY);
    if (keyClause == null || policy == null) {
      throw new IllegalStateException(
          "the nameserver-config Secret lacks named.conf or update-policy: " + stringData.keySet());
    }
    Path include = Files.createTempFile(workDir, "operator-key-", ".conf");
    Files.writeString(include, keyClause);
    // a rotated key keeps its name: the previous clause must go, BIND refuses two of one name
    if (keyInclude != null) {
      named.removeInclude(keyInclude);
    }
    keyInclude = include;
    keyGrants = grantLines(policy);
    named.addInclude(include).updatePolicy(ZONE, grants()).reconfig();
  }

  /**
   * Adds update-policy grants for Kerberos principals (GSS-TSIG), e.g. as the operator renders them
   * for a Kerberos issuer, to those of the keys; then {@code rndc reconfig}.
   *
   * @param policy text whose lines starting with {@code grant } are taken
   */
  public void trustPrincipals(String policy) {
    principalGrants = grantLines(policy);
    named.updatePolicy(ZONE, grants()).reconfig();
  }

  private static List<String> grantLines(String policy) {
    return policy.lines().map(String::strip).filter(l -> l.startsWith("grant ")).toList();
  }

  private List<String> grants() {
    List<String> grants = new ArrayList<>();
    grants.add(ADMIN_GRANT);
    grants.addAll(keyGrants);
    grants.addAll(principalGrants);
    return grants;
  }

  /** Every TXT record in the zone whose owner starts with {@code _acme-challenge}. */
  public List<String> challengeRecords() {
    return named.records(ZONE + ".").stream()
        .filter(r -> r.getType() == org.xbill.DNS.Type.TXT)
        .filter(r -> r.getName().toString().contains("_acme-challenge"))
        .map(Object::toString)
        .toList();
  }

  @Override
  public void close() {
    named.close();
  }
}
