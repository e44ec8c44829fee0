package io.dnsupdate.e2e;

import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.DnsQuery;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.Transport;
import io.dnsupdate.e2e.acme.AcmeOrderClient;
import io.dnsupdate.e2e.acme.IssuedChain;
import io.dnsupdate.e2e.demo.DemoOptions;
import io.dnsupdate.operator.status.Conditions;
import io.dnsupdate.testkit.Pem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.xbill.DNS.Name;

/**
 * The user's journey, step by step: create a TsigKey and a DnsUpdateIssuer from examples/, load the
 * key into the nameserver, wait for Ready, then let an ACME client order a certificate through the
 * webhook. The demo prints it; the end-to-end test asserts on it.
 */
public final class DemoFlow {
  public static final String NAMESPACE = "default";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY =
      java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

  private final LocalStack stack;
  private final StepLog log;
  private final DemoOptions options;
  private final KubernetesClient client;

  public DemoFlow(LocalStack stack, StepLog log, DemoOptions options) {
    this.stack = stack;
    this.log = log;
    this.options = options;
    this.client = stack.api().client();
  }

  /** The names the demo certifies: the apex, the wildcard and a name two levels below. */
  public List<String> domains() {
    String d = options.domain();
    return List.of(d, "*." + d, subdomains().get(0));
  }

  /** Names below the domain that get challenges of their own (and so grants of their own). */
  private List<String> subdomains() {
    return List.of("a.b." + options.domain());
  }

  /**
   * Creates the TsigKey and DnsUpdateIssuer, teaches named the rendered key and grants, and waits
   * until the issuer is Ready.
   *
   * @param rotationPeriod null for the example's own rotation settings
   */
  public DnsUpdateIssuer setUp(String rotationPeriod, String overlap) throws Exception {
    TsigKey key = ExampleResources.tsigKey(NAMESPACE, rotationPeriod, overlap);
    client.resource(key).create();
    TsigKey readyKey =
        awaitReady(
            TsigKey.class,
            key.getMetadata().getName(),
            k -> k.getStatus() == null ? null : k.getStatus().getConditions(),
            READY_TIMEOUT);
    log.done(
        "TsigKey "
            + name(readyKey)
            + " Ready: key "
            + readyKey.getStatus().getKeyName()
            + " ("
            + readyKey.getStatus().getAlgorithm()
            + ", fingerprint "
            + readyKey.getStatus().getFingerprint()
            + ") generated into Secret "
            + readyKey.getStatus().getSecretName());

    DnsUpdateIssuer issuer =
        options.localNameserver()
            ? ExampleResources.issuer(
                NAMESPACE, stack.nameserver().hostPort(), options.domain(), subdomains())
            : ExampleResources.issuerForYourNameserver(
                NAMESPACE, options.nameserver(), options.domain(), subdomains());
    client.resource(issuer).create();
    log.done(
        "DnsUpdateIssuer "
            + name(issuer)
            + " created for domains "
            + String.join(", ", issuer.getSpec().getDomains()));

    Map<String, String> config = awaitNameserverConfig(readyKey);
    Duration readyTimeout = READY_TIMEOUT;
    if (options.localNameserver()) {
      stack.nameserver().trust(config, stack.workDir());
      log.done(
          "nameserver learned the key: rendered key clause included, "
              + grants(config).size()
              + " update-policy grant(s) added, rndc reconfig");
    } else {
      Path file = writeNameserverConfig(config, options.out());
      log.done(
          "load the key clause and grants in "
              + file.toAbsolutePath()
              + " into your nameserver; waiting up to "
              + options.keyWait()
              + " for it to accept the key");
      readyTimeout = options.keyWait();
    }

    DnsUpdateIssuer ready =
        awaitReady(
            DnsUpdateIssuer.class,
            issuer.getMetadata().getName(),
            i -> i.getStatus() == null ? null : i.getStatus().getConditions(),
            readyTimeout);
    log.done(
        "DnsUpdateIssuer "
            + name(ready)
            + " Ready ("
            + Conditions.reason(ready.getStatus().getConditions(), ApiConstants.CONDITION_READY)
            + "): zone "
            + ready.getStatus().getZone()
            + ", primary "
            + ready.getStatus().getPrimary());
    return ready;
  }

  /**
   * Loads the current nameserver-config Secret into the local named again, as a user does after a
   * key rotation (the Warning Event and the new fingerprint tell them).
   */
  public void trustCurrentKey() throws Exception {
    TsigKey key = client.resources(TsigKey.class).inNamespace(NAMESPACE).withName(keyName()).get();
    Map<String, String> config = awaitNameserverConfig(key);
    stack.nameserver().trust(config, stack.workDir());
    log.done("nameserver learned the rotated key " + key.getStatus().getFingerprint());
  }

  private String keyName() throws java.io.IOException {
    return ExampleResources.tsigKey(NAMESPACE, null, null).getMetadata().getName();
  }

  /** Orders a certificate for {@code domains} through the webhook, as cert-manager would. */
  public IssuedChain issue(DnsUpdateIssuer issuer, List<String> domains) throws Exception {
    AcmeOrderClient acme = new AcmeOrderClient(stack.acmeDirectory(), stack.acmeTrust(), log::done);
    WebhookSolver solver =
        new WebhookSolver(stack.frontProxy(), NAMESPACE, issuer.getMetadata().getName());
    IssuedChain chain = acme.order(domains, solver, Duration.ofSeconds(90));
    X509Certificate leaf = chain.leaf();
    log.done(
        "certificate issued: "
            + sans(leaf)
            + ", expires "
            + leaf.getNotAfter().toInstant()
            + ", issuer "
            + leaf.getIssuerX500Principal().getName());
    return chain;
  }

  /** Writes {@code fullchain.pem} and {@code privkey.pem} (mode 600) into {@code dir}. */
  public static List<Path> write(IssuedChain chain, Path dir) throws Exception {
    Files.createDirectories(dir);
    Path cert = dir.resolve("fullchain.pem");
    Path key = dir.resolve("privkey.pem");
    Files.writeString(cert, Pem.certificates(chain.chain().toArray(X509Certificate[]::new)));
    Files.deleteIfExists(key);
    Files.createFile(key, OWNER_ONLY);
    Files.writeString(key, Pem.privateKey(chain.keyPair().getPrivate()));
    return List.of(cert, key);
  }

  /** The names in the certificate's subjectAltName. */
  public static List<String> sans(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames().stream().map(s -> String.valueOf(s.get(1))).toList();
  }

  /**
   * The {@code _acme-challenge} TXT records still in the zone: by zone transfer from the local
   * named, else by asking your nameserver for the demo's challenge names.
   */
  public List<String> leftoverChallengeRecords() throws Exception {
    if (options.localNameserver()) {
      return stack.nameserver().challengeRecords();
    }
    DnsQuery query =
        new DnsQuery(
            new ServerEndpoint(Nameserver.parse(options.nameserver()), Transport.TCP, null, null),
            null,
            null);
    List<String> left = new java.util.ArrayList<>();
    for (String d : issuerDomains()) {
      Name owner = Name.fromString("_acme-challenge." + d + ".");
      query.txt(owner).values().forEach(v -> left.add(owner + " TXT " + v));
    }
    return left;
  }

  private List<String> issuerDomains() {
    List<String> all = new java.util.ArrayList<>(List.of(options.domain()));
    all.addAll(subdomains());
    return all;
  }

  private static List<String> grants(Map<String, String> config) {
    return config
        .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
        .lines()
        .filter(l -> l.startsWith("grant "))
        .toList();
  }

  /** The key clause holds the secret: it goes to a file only its owner can read, never stdout. */
  private static Path writeNameserverConfig(Map<String, String> config, Path dir)
      throws java.io.IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("nameserver-config.conf");
    Files.deleteIfExists(file);
    Files.createFile(file, OWNER_ONLY);
    Files.writeString(
        file,
        config.get(ApiConstants.NAMESERVER_CONFIG_NAMED_CONF)
            + "\n// inside the zone's update-policy { ... }; block:\n"
            + config.get(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY));
    return file;
  }

  private Map<String, String> awaitNameserverConfig(TsigKey key) {
    String secretName = key.effectiveNameserverConfigSecretName();
    String grant = "name _acme-challenge." + options.domain() + ". TXT;";
    Secret secret =
        await("nameserver-config Secret " + secretName + " with a grant for " + options.domain())
            .atMost(READY_TIMEOUT)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> client.secrets().inNamespace(NAMESPACE).withName(secretName).get(),
                s ->
                    s != null
                        && decode(s)
                            .getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                            .contains(grant));
    return decode(secret);
  }

  private static Map<String, String> decode(Secret secret) {
    return KeySecretCodec.plainData(secret.getData(), secret.getStringData());
  }

  private <T extends HasMetadata> T awaitReady(
      Class<T> type, String name, Function<T, List<Condition>> conditions, Duration timeout) {
    return await(type.getSimpleName() + " " + NAMESPACE + "/" + name + " Ready")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> client.resources(type).inNamespace(NAMESPACE).withName(name).get(),
            r -> r != null && Conditions.isTrue(conditions.apply(r), ApiConstants.CONDITION_READY));
  }

  private static String name(HasMetadata r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
