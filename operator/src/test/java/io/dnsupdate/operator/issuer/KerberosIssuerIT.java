package io.dnsupdate.operator.issuer;

import static io.dnsupdate.operator.testing.Resources.apply;
import static io.dnsupdate.operator.testing.Resources.awaitEvent;
import static io.dnsupdate.operator.testing.Resources.awaitReason;
import static io.dnsupdate.operator.testing.Resources.ready;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.operator.status.EventReason;
import io.dnsupdate.operator.testing.OperatorFixture;
import io.dnsupdate.operator.testing.Resources;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Kerberos DnsUpdateIssuers in the real operator on the mock API server, logging in at a real MIT
 * KDC and probing a real BIND with GSS-TSIG. Short intervals: a keytab Secret is not watched, so a
 * fix is seen at the next (retry) probe.
 */
@EnableKubernetesMockClient(crud = true)
class KerberosIssuerIT {
  static final String SERVICE = KerberosKdc.DNS_SERVICE + "@" + KerberosKdc.REALM;

  static KubernetesMockServer server;
  static KubernetesClient client;
  static OperatorFixture operator;
  static KerberosKdc kdc;
  static NamedServer named;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() {
    kdc = KerberosKdc.startStandard();
    named = StandardZones.gssPrimaryBuilder(kdc).start();
    OperatorFixture.applyCrds(client);
    operator = OperatorFixture.start(server);
  }

  @AfterAll
  static void stop() {
    operator.close();
    named.close();
    kdc.close();
  }

  @BeforeEach
  void captureLogs() {
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    root().detachAppender(logs);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** A Secret holding {@code keytab} under {@code key}, as kubectl create secret would. */
  static Secret keytabSecret(String ns, String name, String key, byte[] keytab) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withType("Opaque")
        .withData(Map.of(key, Base64.getEncoder().encodeToString(keytab)))
        .build();
  }

  /** An issuer "site" signing as {@code principal} with the keytab in Secret "keytab". */
  static DnsUpdateIssuer issuer(String ns, String principal, NamedServer at) {
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal(kdc.principal(principal));
    k.setKdcs(List.of(kdc.kdcAddress()));
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("keytab", null));
    k.setServicePrincipal(SERVICE);
    return apply(
        client,
        Resources.issuer(
            ns,
            "site",
            "unused",
            List.of("127.0.0.1:" + at.port()),
            List.of("www.example.test"),
            s -> {
              s.setTsigKeyRef(null);
              s.setKerberos(k);
              s.setTimeout("3s");
            }));
  }

  private static DnsUpdateIssuer await(String ns, IssuerReason reason) {
    return awaitReason(client, DnsUpdateIssuer.class, ns, "site", reason);
  }

  @Test
  void theGrantedPrincipalIsAuthenticatedAndItsNameserverConfigIsPublished() {
    String ns = OperatorFixture.namespace(client, "gss-good");
    byte[] keytab = kdc.keytabBytes(KerberosKdc.ACME);
    apply(client, keytabSecret(ns, "keytab", "keytab", keytab));
    DnsUpdateIssuer created = issuer(ns, KerberosKdc.ACME, named);

    DnsUpdateIssuer issuer = await(ns, IssuerReason.Authenticated);

    assertThat(ready(issuer).orElseThrow().getStatus()).isEqualTo("True");
    assertThat(ready(issuer).orElseThrow().getMessage())
        .contains("GSS-TSIG as Kerberos principal 'acme@EXAMPLE.TEST'");
    assertThat(issuer.getStatus().getKeyName()).isEqualTo("acme@EXAMPLE.TEST");
    assertThat(issuer.getStatus().getZone()).isEqualTo("example.test.");
    assertThat(issuer.getStatus().getPrimary()).isEqualTo("127.0.0.1:" + named.port());
    awaitEvent(client, ns, "site", EventReason.Authenticated);

    ConfigMap config = client.configMaps().inNamespace(ns).withName("site-nameserver-config").get();
    assertThat(config.getData().get(GssNameserverConfig.DATA_UPDATE_POLICY))
        .isEqualTo("grant acme@EXAMPLE.TEST name _acme-challenge.www.example.test. TXT;\n");
    assertThat(config.getData().get(GssNameserverConfig.DATA_SNIPPET))
        .contains("tkey-gssapi-keytab")
        .contains(SERVICE);
    assertThat(config.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(created.getMetadata().getUid()));
    assertThat(config.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "dnsupdate-operator")
        .containsEntry("app.kubernetes.io/component", "nameserver-config");
    assertNoKeytabAnywhere(ns, keytab);
  }

  @Test
  void theKeytabOfAnotherPrincipalFailsTheLogin() {
    String ns = OperatorFixture.namespace(client, "gss-wrong");
    byte[] keytab = kdc.keytabBytes(KerberosKdc.OTHER);
    apply(client, keytabSecret(ns, "keytab", "keytab", keytab));
    issuer(ns, KerberosKdc.ACME, named);

    DnsUpdateIssuer issuer = await(ns, IssuerReason.KerberosFailed);

    assertThat(ready(issuer).orElseThrow().getStatus()).isEqualTo("False");
    // the temp file of the login is not named: the message (and status) stays the same per probe
    assertThat(ready(issuer).orElseThrow().getMessage())
        .contains("Kerberos login as 'acme@EXAMPLE.TEST' with the keytab of Secret 'keytab'")
        .doesNotContain("dnsupdate-keytab-");
    assertThat(issuer.getStatus().getKeyName()).isEqualTo("acme@EXAMPLE.TEST");
    assertThat(awaitEvent(client, ns, "site", EventReason.KerberosFailed).getType())
        .isEqualTo("Warning");
    assertNoKeytabAnywhere(ns, keytab);

    // the right keytab: seen at the next probe, as the Secret is not watched
    apply(client, keytabSecret(ns, "keytab", "keytab", kdc.keytabBytes(KerberosKdc.ACME)));
    await(ns, IssuerReason.Authenticated);
  }

  @Test
  void aMissingKeytabSecretIsNotReadyUntilItExists() {
    String ns = OperatorFixture.namespace(client, "gss-missing");
    issuer(ns, KerberosKdc.ACME, named);

    DnsUpdateIssuer waiting = await(ns, IssuerReason.KeytabNotReady);

    assertThat(ready(waiting).orElseThrow().getMessage())
        .contains("the keytab Secret 'keytab' (namespace 'gss-missing')")
        .contains("does not exist")
        .contains("kubectl create secret generic keytab --from-file=keytab=");
    assertThat(awaitEvent(client, ns, "site", EventReason.KeytabNotReady).getType())
        .isEqualTo("Warning");

    apply(client, keytabSecret(ns, "keytab", "keytab", kdc.keytabBytes(KerberosKdc.ACME)));
    await(ns, IssuerReason.Authenticated);
  }

  @Test
  void aSecretWithoutTheKeytabKeyOrWithAnEmptyOneIsNotReady() {
    String ns = OperatorFixture.namespace(client, "gss-nokey");
    apply(client, keytabSecret(ns, "keytab", "krb5.keytab", kdc.keytabBytes(KerberosKdc.ACME)));
    issuer(ns, KerberosKdc.ACME, named);

    assertThat(ready(await(ns, IssuerReason.KeytabNotReady)).orElseThrow().getMessage())
        .contains("has no data key 'keytab' (it has: krb5.keytab)")
        .contains("spec.kerberos.keytabSecretRef.key");

    apply(client, keytabSecret(ns, "keytab", "keytab", new byte[0]));
    Resources.awaitResource(
        client,
        DnsUpdateIssuer.class,
        ns,
        "site",
        i -> ready(i).map(c -> c.getMessage().contains("is empty")).orElse(false));
  }

  @Test
  void aStoppedKdcIsUnreachableWithinTheDeadline() {
    String ns = OperatorFixture.namespace(client, "gss-kdc-down");
    apply(client, keytabSecret(ns, "keytab", "keytab", kdc.keytabBytes(KerberosKdc.ACME)));
    kdc.stop();
    try {
      issuer(ns, KerberosKdc.ACME, named);

      DnsUpdateIssuer down = await(ns, IssuerReason.KdcUnreachable);

      assertThat(ready(down).orElseThrow().getMessage()).contains(kdc.kdcAddress());
    } finally {
      kdc.restart();
    }
    await(ns, IssuerReason.Authenticated);
  }

  /** Neither status, nor Events, nor any log line holds the keytab, in base64 or in hex. */
  private void assertNoKeytabAnywhere(String ns, byte[] keytab) {
    List<String> forms =
        List.of(Base64.getEncoder().encodeToString(keytab), HexFormat.of().formatHex(keytab));
    List<String> texts = new ArrayList<>();
    DnsUpdateIssuer issuer =
        client.resources(DnsUpdateIssuer.class).inNamespace(ns).withName("site").get();
    texts.add(String.valueOf(issuer.getStatus()));
    for (Event e : Resources.events(client, ns, "site")) {
      texts.add(e.getMessage());
    }
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      texts.add(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(String.valueOf(t.getMessage()));
      }
    }
    assertThat(texts).hasSizeGreaterThan(2);
    for (String text : texts) {
      for (String form : forms) {
        assertThat(text).doesNotContain(form);
      }
    }
  }
}
