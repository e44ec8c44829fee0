package io.dnsupdate.e2e;

import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.config.Durations;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.awaitility.core.ConditionTimeoutException;
import org.xbill.DNS.Name;

/**
 * The user's journey, step by step: create a TsigKey and a DnsUpdateIssuer from examples/, load the
 * key into the nameserver, wait for Ready, then let an ACME client order a certificate through the
 * webhook. The demo prints it; the end-to-end test asserts on it.
 */
public final class DemoFlow {
  public static final String NAMESPACE = "default";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private static final String OWNER_ONLY = "rw-------";
  private static final String READABLE = "rw-r--r--";

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
              + Durations.format(options.keyWait())
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

  /**
   * Writes {@code fullchain.pem} (mode 644) and {@code privkey.pem} (mode 600) into {@code dir},
   * each replaced atomically: a reader sees the previous file or the new one, never half of one.
   */
  public static List<Path> write(IssuedChain chain, Path dir) throws Exception {
    Files.createDirectories(dir);
    Path key =
        replace(
            dir.resolve("privkey.pem"), Pem.privateKey(chain.keyPair().getPrivate()), OWNER_ONLY);
    Path cert =
        replace(
            dir.resolve("fullchain.pem"),
            Pem.certificates(chain.chain().toArray(X509Certificate[]::new)),
            READABLE);
    return List.of(cert, key);
  }

  /** Writes a temporary file beside {@code file} with {@code mode}, then renames it over it. */
  private static Path replace(Path file, String content, String mode) throws IOException {
    Path tmp =
        Files.createTempFile(
            file.getParent(),
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
    try {
      Files.writeString(tmp, content);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return file;
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
      throws IOException {
    Files.createDirectories(dir);
    return replace(
        dir.resolve("nameserver-config.conf"),
        config.get(ApiConstants.NAMESERVER_CONFIG_NAMED_CONF)
            + "\n// inside the zone's update-policy { ... }; block:\n"
            + config.get(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY),
        OWNER_ONLY);
  }

  private Map<String, String> awaitNameserverConfig(TsigKey key) {
    String secretName = key.effectiveNameserverConfigSecretName();
    String grant = "name _acme-challenge." + options.domain() + ". TXT;";
    try {
      // Awaitility's timeout message shows the last value polled, and this Secret holds the TSIG
      // key: the value polled is empty until it matches, and the timeout gets a message of ours
      return await()
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  Optional.ofNullable(
                          client.secrets().inNamespace(NAMESPACE).withName(secretName).get())
                      .map(DemoFlow::decode)
                      .filter(
                          d ->
                              d.getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "")
                                  .contains(grant)),
              Optional::isPresent)
          .orElseThrow();
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "the operator did not write Secret "
              + NAMESPACE
              + "/"
              + secretName
              + " with a grant for "
              + options.domain()
              + " within "
              + Durations.format(READY_TIMEOUT)
              + "; next: read the operator's log (run again with --keep to keep it)");
    }
  }

  private static Map<String, String> decode(Secret secret) {
    return KeySecretCodec.plainData(secret.getData(), secret.getStringData());
  }

  private <T extends HasMetadata> T awaitReady(
      Class<T> type, String name, Function<T, List<Condition>> conditions, Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> client.resources(type).inNamespace(NAMESPACE).withName(name).get(),
              r ->
                  r != null
                      && Conditions.isTrue(conditions.apply(r), ApiConstants.CONDITION_READY));
    } catch (ConditionTimeoutException e) {
      // Awaitility's message dumps the whole resource; the user needs the condition and a next step
      T last = client.resources(type).inNamespace(NAMESPACE).withName(name).get();
      Condition ready =
          last == null
              ? null
              : Conditions.find(conditions.apply(last), ApiConstants.CONDITION_READY).orElse(null);
      throw new IllegalStateException(
          notReady(type.getSimpleName(), name, timeout, ready, options));
    }
  }

  /**
   * One line for a resource that did not become Ready: its Ready condition's reason and message and
   * what to do next.
   */
  static String notReady(
      String kind, String name, Duration timeout, Condition ready, DemoOptions options) {
    String what =
        kind + " " + NAMESPACE + "/" + name + " not Ready after " + Durations.format(timeout);
    if (ready == null) {
      return what + ": no Ready condition yet; next: " + nextStep(null, options);
    }
    return what
        + ": "
        + ready.getReason()
        + ": "
        + ready.getMessage()
        + "; next: "
        + nextStep(ready.getReason(), options);
  }

  private static String nextStep(String reason, DemoOptions options) {
    String yours = options.localNameserver() ? null : options.nameserver();
    String config = options.out().resolve("nameserver-config.conf").toAbsolutePath().toString();
    String fallback = "read the operator's log (run again with --keep to keep it)";
    if (reason == null) {
      return fallback;
    }
    return switch (reason) {
      case "NameserverUnreachable" ->
          yours == null
              ? "the local named stopped answering; " + fallback
              : "check that " + yours + " is running and answers DNS over TCP from this machine";
      case "KeyRejected", "UpdateRefused" ->
          yours == null
              ? "the local named did not take the key; " + fallback
              : "load the key clause and grants in "
                  + config
                  + " into "
                  + yours
                  + " and reload it (rndc reconfig), or wait longer with --key-wait";
      case "ZoneNotFound" ->
          "check --domain " + options.domain() + ": the nameserver is not authoritative for it";
      default -> fallback;
    };
  }

  private static String name(HasMetadata r) {
    return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
