package io.dnsupdate.testkit;

import java.util.ArrayList;
import java.util.List;

/** The zones, keys and grants of the standard BIND fixture that every test in the project uses. */
public final class StandardZones {

  private StandardZones() {}

  /** The main test zone. */
  public static final String EXAMPLE = "example.test";

  /** A second zone that only {@link TestKeys#ADMIN} may change. */
  public static final String OTHER = "other.test";

  /** Address of the primary (and of ns1.example.test). */
  public static final String PRIMARY_ADDRESS = "127.0.0.1";

  /** Address of the optional secondary (and of ns2.example.test). */
  public static final String SECONDARY_ADDRESS = "127.0.0.2";

  /** The challenge names {@link TestKeys#ACME} and {@link TestKeys#ACME512} may put TXT at. */
  public static final List<String> CHALLENGE_NAMES =
      List.of(
          "_acme-challenge.example.test.",
          "_acme-challenge.a.example.test.",
          "_acme-challenge.a.b.example.test.",
          "_acme-challenge.sub.example.test.",
          "_acme-challenge.bench.example.test.");

  /** {@link TestKeys#ACME} may put TXT at any name below this one (benchmarks use many). */
  public static final String BENCH_SUBDOMAIN = "_bench._acme-challenge.example.test.";

  /**
   * {@link TestKeys#ACME} may put TXT at any name below this domain: the webhook benchmark's 1,000
   * challenge names {@code _acme-challenge.n<i>.bench.example.test.}, which its issuer's policy
   * (domain example.test) allows too.
   */
  public static final String BENCH_DOMAIN = "bench.example.test.";

  /** Owner of the 30 long TXT values that do not fit an EDNS 1232-byte UDP answer. */
  public static final String BIG_TXT_NAME = "big.example.test.";

  /** How many TXT values {@link #BIG_TXT_NAME} has. */
  public static final int BIG_TXT_COUNT = 30;

  /** The i-th (0-based) TXT value at {@link #BIG_TXT_NAME}, 100 characters long. */
  public static String bigTxtValue(int i) {
    String head = String.format("big-txt-value-%02d-", i);
    return head + "x".repeat(100 - head.length());
  }

  /** Zone-file text of example.test (after $ORIGIN and $TTL). */
  public static String exampleRecords() {
    StringBuilder z = new StringBuilder();
    z.append("@ SOA ns1.example.test. hostmaster.example.test. 1 60 60 86400 60\n");
    z.append("@ NS ns1.example.test.\n");
    z.append("@ NS ns2.example.test.\n");
    z.append("ns1 A 127.0.0.1\n");
    z.append("ns2 A 127.0.0.2\n");
    z.append("www A 127.0.0.1\n");
    for (int i = 0; i < BIG_TXT_COUNT; i++) {
      z.append("big TXT \"").append(bigTxtValue(i)).append("\"\n");
    }
    return z.toString();
  }

  /** Zone-file text of other.test. */
  public static String otherRecords() {
    return "@ SOA ns1.example.test. hostmaster.example.test. 1 60 60 86400 60\n"
        + "@ NS ns1.example.test.\n";
  }

  /** update-policy of example.test. */
  public static List<String> exampleGrants() {
    List<String> g = new ArrayList<>();
    g.add("grant " + TestKeys.ADMIN.name() + " zonesub ANY;");
    for (TestTsigKey k : List.of(TestKeys.ACME, TestKeys.ACME512)) {
      for (String n : CHALLENGE_NAMES) {
        // One `name` grant per challenge name: `*` matches only a whole leftmost label, so
        // "_acme-challenge.*.example.test" cannot be written as one wildcard grant.
        g.add("grant " + k.name() + " name " + n + " TXT;");
      }
    }
    g.add("grant " + TestKeys.ACME.name() + " subdomain " + BENCH_SUBDOMAIN + " TXT;");
    g.add("grant " + TestKeys.ACME.name() + " subdomain " + BENCH_DOMAIN + " TXT;");
    return g;
  }

  /** update-policy of other.test. */
  public static List<String> otherGrants() {
    return List.of("grant " + TestKeys.ADMIN.name() + " zonesub ANY;");
  }

  /**
   * The standard primary, not yet started: 127.0.0.1 on a port also free on 127.0.0.2, DoT on a
   * free port, both zones and all {@link TestKeys}.
   *
   * @param notifySecondary whether example.test NOTIFYs a secondary at 127.0.0.2 (same port)
   */
  public static NamedServer.Builder primaryBuilder(boolean notifySecondary) {
    NamedServer.Builder b =
        NamedServer.builder()
            .listenAddress(PRIMARY_ADDRESS)
            .portAlsoFreeOn(SECONDARY_ADDRESS)
            .dnsOverTls()
            .keys(TestKeys.all())
            .primaryZone(EXAMPLE, exampleRecords(), exampleGrants())
            .primaryZone(OTHER, otherRecords(), otherGrants());
    if (notifySecondary) {
      b.alsoNotify(EXAMPLE, SECONDARY_ADDRESS, 0);
    }
    return b;
  }

  /**
   * The standard primary (no secondary) that also accepts GSS-TSIG from the KDC's realm: named gets
   * the keytab of {@link KerberosKdc#DNS_SERVICE} and example.test the extra grant {@code grant
   * acme@REALM name _acme-challenge.www.example.test. TXT;} ({@link #gssGrant}).
   */
  public static NamedServer.Builder gssPrimaryBuilder(KerberosKdc kdc) {
    List<String> grants = new ArrayList<>(exampleGrants());
    grants.add(gssGrant(kdc));
    return NamedServer.builder()
        .listenAddress(PRIMARY_ADDRESS)
        .portAlsoFreeOn(SECONDARY_ADDRESS)
        .keys(TestKeys.all())
        .primaryZone(EXAMPLE, exampleRecords(), grants)
        .primaryZone(OTHER, otherRecords(), otherGrants())
        .gssapi(kdc.keytab(KerberosKdc.DNS_SERVICE), kdc.krb5Conf());
  }

  /** The update-policy line letting {@link KerberosKdc#ACME} put TXT at one challenge name. */
  public static String gssGrant(KerberosKdc kdc) {
    return "grant "
        + kdc.principal(KerberosKdc.ACME)
        + " name "
        + KerberosKdc.GSS_CHALLENGE_NAME
        + " TXT;";
  }

  /** Starts the standard primary without a secondary. */
  public static NamedServer startPrimary() {
    return primaryBuilder(false).start();
  }

  /**
   * Starts a secondary of example.test on 127.0.0.2 at the primary's port. If the primary does not
   * NOTIFY it yet, adds that and reconfigures the primary first.
   */
  public static NamedServer startSecondary(NamedServer primary) {
    if (!primary.notifies(EXAMPLE, SECONDARY_ADDRESS, primary.port())) {
      primary.alsoNotify(EXAMPLE, SECONDARY_ADDRESS, primary.port());
      primary.reconfig();
    }
    return NamedServer.builder()
        .listenAddress(SECONDARY_ADDRESS)
        .port(primary.port())
        .keys(TestKeys.all())
        .secondaryZone(EXAMPLE, primary.address(), primary.port())
        .start();
  }
}
