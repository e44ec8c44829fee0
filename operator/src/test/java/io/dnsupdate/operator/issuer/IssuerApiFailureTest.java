package io.dnsupdate.operator.issuer;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.FaultyApi;
import io.dnsupdate.operator.testing.FaultyApi.Fault;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DnsUpdateIssuer whose status the operator may not write (its only API write): the real operator
 * against a mock API server in CRUD mode that denies the status patch, then allows it.
 */
class IssuerApiFailureTest {
  static FaultyApi api;
  static KubernetesClient client;
  static OperatorFixture operator;

  @BeforeAll
  static void start() {
    api = FaultyApi.start();
    client = api.client();
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.startWithoutClientRetries(api.server());
  }

  @AfterAll
  static void stop() {
    operator.close();
    api.close();
  }

  @Test
  void aForbiddenStatusWriteIsToldOnceInAWarningAndTheStatusFollowsOnceGranted() {
    String ns = OperatorFixture.namespace(client, "issuer-status-denied");
    Fault denied =
        api.fail(
            "PATCH",
            "/apis/dnsupdate.io/v1alpha1/namespaces/" + ns + "/dnsupdateissuers/site/status",
            403,
            "dnsupdateissuers.dnsupdate.io \"site\" is forbidden: User"
                + " \"system:serviceaccount:x:y\" cannot patch resource"
                + " \"dnsupdateissuers/status\"");
    apply(
        client,
        Resources.issuer(
            ns, "site", "missing", List.of("127.0.0.1:1"), List.of("example.test"), s -> {}));

    Event warning = awaitEvent(client, ns, "site", EventReason.ApiForbidden);

    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getInvolvedObject().getKind()).isEqualTo("DnsUpdateIssuer");
    assertThat(warning.getMessage())
        .startsWith(
            "patch dnsupdateissuers/status 'site' in namespace 'issuer-status-denied': forbidden"
                + " (HTTP 403)")
        .contains(
            "Grant the operator's ServiceAccount 'patch' on dnsupdateissuers/status (API group"
                + " dnsupdate.io) in namespace 'issuer-status-denied'");
    assertThat(
            client
                .resources(DnsUpdateIssuer.class)
                .inNamespace(ns)
                .withName("site")
                .get()
                .getStatus())
        .isNull();
    // retried every retry interval (0.5 s in tests), not in a loop, and told once
    int before = denied.count();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> denied.count() - before <= 12);
    assertThat(denied.count()).isGreaterThan(before);
    assertThat(events(client, ns, "site"))
        .filteredOn(e -> e.getReason().equals("ApiForbidden"))
        .singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));

    denied.lift();
    DnsUpdateIssuer written =
        awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.KeyNotReady);
    assertThat(written.getStatus().getObservedGeneration())
        .isEqualTo(written.getMetadata().getGeneration());
  }

  @Test
  void aForbiddenKeytabReadIsNotReadyNamingTheGrantAndAForbiddenConfigMapIsAWarning() {
    String ns = OperatorFixture.namespace(client, "keytab-denied");
    Fault secretDenied =
        api.fail(
            "GET",
            "/api/v1/namespaces/" + ns + "/secrets/keytab",
            403,
            "secrets \"keytab\" is forbidden: User \"system:serviceaccount:x:y\" cannot get"
                + " resource \"secrets\"");
    Fault configDenied =
        api.fail(
            "POST",
            "/api/v1/namespaces/" + ns + "/configmaps",
            403,
            "configmaps is forbidden: User \"system:serviceaccount:x:y\" cannot create resource"
                + " \"configmaps\"");
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal("acme@EXAMPLE.TEST");
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("keytab", null));
    k.setServicePrincipal("DNS/ns1.example.test@EXAMPLE.TEST");
    apply(
        client,
        Resources.issuer(
            ns,
            "site",
            "unused",
            List.of("127.0.0.1:1"),
            List.of("example.test"),
            s -> {
              s.setTsigKeyRef(null);
              s.setKerberos(k);
            }));

    DnsUpdateIssuer issuer =
        awaitReason(client, DnsUpdateIssuer.class, ns, "site", IssuerReason.KeytabNotReady);

    assertThat(Resources.ready(issuer).orElseThrow().getMessage())
        .contains("the keytab Secret 'keytab' (namespace 'keytab-denied')")
        .contains("forbidden (HTTP 403)")
        .contains("Grant the operator's ServiceAccount 'get' on secrets");
    assertThat(awaitEvent(client, ns, "site", EventReason.ApiForbidden).getMessage())
        .startsWith("create configmaps 'site-nameserver-config' in namespace 'keytab-denied'");
    assertThat(secretDenied.count()).isPositive();

    configDenied.lift();
    await()
        .atMost(Resources.DEADLINE)
        .until(
            () ->
                client.configMaps().inNamespace(ns).withName("site-nameserver-config").get()
                    != null);
    secretDenied.lift();
    Resources.awaitResource(
        client,
        DnsUpdateIssuer.class,
        ns,
        "site",
        i -> Resources.ready(i).map(c -> c.getMessage().contains("does not exist")).orElse(false));
  }
}
