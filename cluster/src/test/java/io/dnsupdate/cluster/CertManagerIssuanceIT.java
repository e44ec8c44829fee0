package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.e2e.ExampleResources;
import io.dnsupdate.e2e.LocalNameserver;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.PebbleServer;
import io.dnsupdate.testkit.Pem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real cert-manager controller orders certificates from a real ACME server (Pebble) and solves
 * dns-01 through our solver as configured in {@code examples/}: cert-manager's webhook client,
 * kube-apiserver's aggregator, our webhook, the real BIND.
 */
@ExtendWith(RealCluster.Extension.class)
class CertManagerIssuanceIT {
  private static final ResourceDefinitionContext CHALLENGES =
      context("acme.cert-manager.io", "v1", "Challenge", "challenges");
  private static final List<String> NAMES =
      List.of(LocalNameserver.ZONE, "*." + LocalNameserver.ZONE, "a.b." + LocalNameserver.ZONE);
  // cert-manager waits a fixed 60 s after each DNS01 self-check and takes challenges that share a
  // name (apex and wildcard) one after the other: about 2 minutes for the wildcard certificate
  private static final Duration ISSUANCE = Duration.ofMinutes(6);

  private static PebbleServer pebble;

  @BeforeAll
  static void startPebble(RealCluster cluster) {
    pebble = PebbleServer.start(cluster.dns().named());
  }

  @AfterAll
  static void stopPebble() {
    if (pebble != null) {
      pebble.close();
    }
  }

  @Test
  void anIssuerGetsAWildcardCertificateAndNoChallengeRecordIsLeft(RealCluster cluster)
      throws Exception {
    String ns = "cm-issuer";
    cluster.readyIssuer(ns, LocalNameserver.ZONE, "a.b." + LocalNameserver.ZONE);
    apply(cluster, issuer("Issuer", "pebble", ns));
    apply(cluster, certificate(ns, "wildcard", "Issuer", NAMES));

    X509Certificate leaf = awaitIssued(cluster, ns, "wildcard");

    assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)))
        .containsExactlyInAnyOrderElementsOf(NAMES);
    awaitNoChallengeRecords(cluster);
  }

  @Test
  void aClusterIssuerUsesTheIssuerInCertManagersNamespace(RealCluster cluster) throws Exception {
    String ns = "cm-cluster-issuer";
    cluster.readyIssuer(RealCluster.CERT_MANAGER_NAMESPACE, LocalNameserver.ZONE);
    cluster.kubectlOk("create", "namespace", ns);
    apply(cluster, issuer("ClusterIssuer", "pebble-cluster", null));
    apply(
        cluster,
        certificate(ns, "apex", "ClusterIssuer", List.of(LocalNameserver.ZONE))
            .replace("name: pebble\n", "name: pebble-cluster\n"));

    X509Certificate leaf = awaitIssued(cluster, ns, "apex");

    assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)))
        .containsExactly(LocalNameserver.ZONE);
    awaitNoChallengeRecords(cluster);
  }

  @Test
  void aNameOutsideTheIssuersDomainsLeavesAChallengeWithOurReasonAndTheZoneUnchanged(
      RealCluster cluster) throws Exception {
    String ns = "cm-outside";
    String allowed = "a.b." + LocalNameserver.ZONE;
    cluster.readyIssuer(ns, allowed);
    List<String> zoneBefore = cluster.dns().named().recordStrings(LocalNameserver.ZONE + ".");
    apply(cluster, issuer("Issuer", "pebble", ns));
    // in the zone named serves (so cert-manager finds it and calls the solver), not in the issuer's
    String outside = "www." + LocalNameserver.ZONE;
    apply(cluster, certificate(ns, "outside", "Issuer", List.of(outside)));

    String reason =
        cluster
            .await("the Challenge reports why it cannot be presented")
            .atMost(ISSUANCE)
            .until(
                () ->
                    cluster
                        .admin()
                        .genericKubernetesResources(CHALLENGES)
                        .inNamespace(ns)
                        .list()
                        .getItems()
                        .stream()
                        .map(c -> String.valueOf(c.getAdditionalProperties().get("status")))
                        .collect(Collectors.joining("\n")),
                s -> s.contains("spec.domains"));
    assertThat(reason)
        .contains("'_acme-challenge." + outside + ".' is not a challenge name")
        .contains("[" + allowed + ".]")
        .contains("add the domain to spec.domains");
    assertThat(cluster.dns().named().recordStrings(LocalNameserver.ZONE + "."))
        .isEqualTo(zoneBefore);
  }

  @Test
  void aKerberosIssuerGetsACertificateSignedWithGssTsig(RealCluster cluster) throws Exception {
    String ns = "cm-kerberos";
    String domain = "k." + LocalNameserver.ZONE;
    cluster.kubectlOk("create", "namespace", ns);
    KerberosKdc kdc = cluster.kdc();
    cluster
        .admin()
        .secrets()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("acme-dns-keytab")
                .withNamespace(ns)
                .endMetadata()
                .withData(
                    Map.of(
                        "keytab",
                        Base64.getEncoder().encodeToString(kdc.keytabBytes(KerberosKdc.ACME))))
                .build())
        .create();
    DnsUpdateIssuer kerberos =
        ExampleResources.kerberosIssuer(
            ns,
            cluster.dns().hostPort(),
            LocalNameserver.ZONE + ".",
            List.of(domain),
            kdc.principal(KerberosKdc.ACME),
            List.of(kdc.kdcAddress()),
            kdc.principal(KerberosKdc.DNS_SERVICE));
    cluster.admin().resource(kerberos).create();
    // the grants as the operator renders them for the issuer, loaded as an admin would
    String configMap =
        kerberos.getMetadata().getName() + ApiConstants.NAMESERVER_CONFIG_SECRET_SUFFIX;
    String policy =
        cluster
            .await("the nameserver config of " + ns + " grants the principal")
            .until(
                () -> {
                  ConfigMap c =
                      cluster.admin().configMaps().inNamespace(ns).withName(configMap).get();
                  return c == null
                      ? ""
                      : c.getData().getOrDefault(ApiConstants.NAMESERVER_CONFIG_UPDATE_POLICY, "");
                },
                p -> p.contains("_acme-challenge." + domain + "."));
    assertThat(policy).contains("grant " + kdc.principal(KerberosKdc.ACME) + " name");
    cluster.dns().trustPrincipals(policy);
    cluster.awaitReady(kerberos);
    apply(cluster, issuer("Issuer", "pebble", ns, kerberos.getMetadata().getName()));
    apply(cluster, certificate(ns, "kerberos", "Issuer", List.of(domain)));

    X509Certificate leaf = awaitIssued(cluster, ns, "kerberos");

    assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)))
        .containsExactly(domain);
    // written as the principal, through a GSS-TSIG context: not with a TSIG key
    assertThat(cluster.dns().named().logFile())
        .content()
        .contains("/key acme\\@EXAMPLE.TEST: updating zone 'example.test/IN'");
    awaitNoChallengeRecords(cluster);
  }

  private X509Certificate awaitIssued(RealCluster cluster, String ns, String name)
      throws Exception {
    cluster
        .await("Certificate " + ns + "/" + name + " Ready")
        .atMost(ISSUANCE)
        .until(
            () ->
                cluster.kubectlOk(
                    "get",
                    "certificate",
                    "-n",
                    ns,
                    name,
                    "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"),
            "True"::equals);
    Secret tls = cluster.admin().secrets().inNamespace(ns).withName(name + "-tls").get();
    String chainPem =
        new String(
            Base64.getDecoder().decode(tls.getData().get("tls.crt")), StandardCharsets.UTF_8);
    List<X509Certificate> chain = Pem.parseCertificates(chainPem);
    verify(chain);
    return chain.get(0);
  }

  /** The chain cert-manager stored verifies up to Pebble's root. */
  private static void verify(List<X509Certificate> chain) throws Exception {
    Set<TrustAnchor> anchors =
        pebble.rootCertificates().stream()
            .map(r -> new TrustAnchor(r, null))
            .collect(Collectors.toSet());
    PKIXParameters params = new PKIXParameters(anchors);
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }

  private static void awaitNoChallengeRecords(RealCluster cluster) {
    cluster
        .await("no _acme-challenge TXT left in the zone (AXFR)")
        .until(() -> cluster.dns().challengeRecords(), List::isEmpty);
  }

  private String issuer(String kind, String name, String namespace) {
    return issuer(kind, name, namespace, "example-com");
  }

  private String issuer(String kind, String name, String namespace, String dnsUpdateIssuer) {
    String caBundle;
    try {
      caBundle = Base64.getEncoder().encodeToString(Files.readAllBytes(pebble.tlsCaPemFile()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return """
        apiVersion: cert-manager.io/v1
        kind: %s
        metadata:
          name: %s
        %s
        spec:
          acme:
            server: %s
            caBundle: %s
            privateKeySecretRef:
              name: %s-account
            solvers:
              - dns01:
                  webhook:
                    groupName: acme.dnsupdate.io
                    solverName: dnsupdate
                    config:
                      issuer: %s
        """
        .formatted(
            kind,
            name,
            namespace == null ? "" : "  namespace: " + namespace,
            pebble.directoryUrl(),
            caBundle,
            name,
            dnsUpdateIssuer);
  }

  private static String certificate(String ns, String name, String issuerKind, List<String> names) {
    return """
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata:
          name: %s
          namespace: %s
        spec:
          secretName: %s-tls
          dnsNames: [%s]
          privateKey:
            algorithm: ECDSA
            size: 256
          issuerRef:
            name: pebble
            kind: %s
            group: cert-manager.io
        """
        .formatted(
            name,
            ns,
            name,
            names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")),
            issuerKind);
  }

  private static void apply(RealCluster cluster, String yaml) throws IOException {
    Path file = Files.createTempFile(cluster.work(), "cm-", ".yaml");
    Files.writeString(file, yaml);
    cluster.kubectlOk("apply", "-f", file.toString());
  }

  private static ResourceDefinitionContext context(
      String group, String version, String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }
}
