package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.token;
import static io.dnsupdate.webhook.challenge.KerberosWebhook.GRANTED;
import static io.dnsupdate.webhook.challenge.KerberosWebhook.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.KerberosKdc;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What fails with a Kerberos issuer, and how: {@code success: false} with the reason and a message
 * naming what to fix — KerberosFailed for a keytab without the principal's key or a principal the
 * KDC does not know, KdcUnreachable at once when the KDC is down, UpdateRefused for a name outside
 * the principal's grant, KeyUnavailable for a missing Secret or data key — and the zone untouched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KerberosFailuresIT {
  static KerberosWebhook k;

  @BeforeAll
  static void start() {
    k = new KerberosWebhook();
  }

  @AfterAll
  static void stop() {
    if (k != null) {
      k.close();
    }
  }

  @Test
  void aKeytabWithoutThePrincipalsKeyIsKerberosFailedAndHeld() {
    k.keytabSecret("others-keytab", k.kdc.keytabBytes(KerberosKdc.OTHER), "1");
    k.issuer(
        "wrong-keytab", k.kdc.principal(KerberosKdc.ACME), "others-keytab", "www.example.test");
    long failedBefore = k.logins("KerberosFailed");
    String value = token();

    String message = fails(k.post("Present", "wrong-keytab", GRANTED, value), "KerberosFailed");

    assertThat(message)
        .contains("Kerberos login as 'acme@EXAMPLE.TEST' with the keytab in Secret")
        .contains("kerberos/others-keytab (data key 'keytab')")
        .contains("export a fresh keytab")
        .doesNotContain("/tmp");
    // the same keytab is not tried again at once (an AD account would count the failures)
    String again = fails(k.post("Present", "wrong-keytab", GRANTED, value), "KerberosFailed");
    assertThat(again).contains("failed less than");
    assertThat(k.logins("KerberosFailed") - failedBefore).isEqualTo(1);
    assertThat(k.named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void aPrincipalTheKdcDoesNotKnowIsKerberosFailed() {
    k.kdc.addPrincipal("ghost");
    byte[] keytab = k.kdc.keytabBytes("ghost");
    k.kdc.deletePrincipal("ghost");
    k.keytabSecret("ghost-keytab", keytab, "1");
    k.issuer("ghost", k.kdc.principal("ghost"), "ghost-keytab", "www.example.test");

    String message = fails(k.post("Present", "ghost", GRANTED, token()), "KerberosFailed");

    assertThat(message).contains("does not know principal 'ghost@EXAMPLE.TEST'");
  }

  @Test
  void aKdcThatIsDownBeforeTheFirstLoginIsKdcUnreachableAtOnce() {
    k.acmeIssuer("kdc-down", "www.example.test");
    k.kdc.stop();
    try {
      long t0 = System.nanoTime();
      String message = fails(k.post("Present", "kdc-down", GRANTED, token()), "KdcUnreachable");
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(message)
          .contains("no KDC of realm EXAMPLE.TEST answered")
          .contains(k.kdc.kdcAddress());
      // a refused connection is a failure at once: far within the request budget
      assertThat(took).isLessThan(Duration.ofSeconds(10));
    } finally {
      k.kdc.restart();
    }
  }

  @Test
  void aServicePrincipalTheKdcDoesNotKnowIsKerberosFailed() {
    k.keytabSecret("nowhere-keytab", k.kdc.keytabBytes(KerberosKdc.ACME), "1");
    DnsUpdateIssuerSpec spec =
        k.spec(k.kdc.principal(KerberosKdc.ACME), "nowhere-keytab", "www.example.test");
    spec.getKerberos().setServicePrincipal("DNS/nowhere.example.test@EXAMPLE.TEST");
    k.fixture.createIssuer(KerberosWebhook.NS, "nowhere", spec);

    String message = fails(k.post("Present", "nowhere", GRANTED, token()), "KerberosFailed");

    assertThat(message)
        .contains("DNS/nowhere.example.test@EXAMPLE.TEST")
        .contains("the KDC does not know the service principal");
  }

  @Test
  void aNameserverWithoutTheServicePrincipalsKeyIsKeyRejected() {
    k.kdc.addPrincipal("DNS/ns9.example.test"); // known to the KDC, not in named's keytab
    k.keytabSecret("ns9-keytab", k.kdc.keytabBytes(KerberosKdc.ACME), "1");
    DnsUpdateIssuerSpec spec =
        k.spec(k.kdc.principal(KerberosKdc.ACME), "ns9-keytab", "www.example.test");
    spec.getKerberos().setServicePrincipal("DNS/ns9.example.test@EXAMPLE.TEST");
    k.fixture.createIssuer(KerberosWebhook.NS, "ns9", spec);
    String value = token();

    String message = fails(k.post("Present", "ns9", GRANTED, value), "KeyRejected");

    assertThat(message)
        .contains("did not accept the Kerberos ticket")
        .contains("DNS/ns9.example.test@EXAMPLE.TEST")
        .contains("tkey-gssapi-keytab");
    assertThat(k.named.txt(GRANTED)).doesNotContain(value);
  }

  @Test
  void aKdcThatGoesDownAfterTheLoginStopsNoChallenge() {
    k.acmeIssuer("survivor", "www.example.test");
    String first = token();
    KerberosWebhook.succeeds(k.post("Present", "survivor", GRANTED, first));
    k.kdc.stop();
    try {
      // the login's ticket and the negotiated context need no KDC
      String second = token();
      KerberosWebhook.succeeds(k.post("Present", "survivor", GRANTED, second));
      KerberosWebhook.succeeds(k.post("CleanUp", "survivor", GRANTED, first));
      KerberosWebhook.succeeds(k.post("CleanUp", "survivor", GRANTED, second));
      assertThat(k.named.txt(GRANTED)).doesNotContain(first, second);
    } finally {
      k.kdc.restart();
    }
  }

  @Test
  void aNameOutsideThePrincipalsGrantIsRefused() {
    k.acmeIssuer("apex", "example.test");
    String fqdn = "_acme-challenge.example.test.";
    String value = token();

    String message = fails(k.post("Present", "apex", fqdn, value), "UpdateRefused");

    assertThat(message).contains("principal 'acme@EXAMPLE.TEST'");
    assertThat(k.named.txt(fqdn)).doesNotContain(value);
  }

  @Test
  void aMissingSecretOrDataKeyIsKeyUnavailable() {
    k.issuer("no-secret", k.kdc.principal(KerberosKdc.ACME), "absent", "www.example.test");
    assertThat(fails(k.post("Present", "no-secret", GRANTED, token()), "KeyUnavailable"))
        .contains("Secret kerberos/absent")
        .contains("data key 'keytab'");

    Secret wrongKey =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(KerberosWebhook.NS)
            .withName("wrong-key")
            .endMetadata()
            .addToData("krb5.keytab", k.keytabBase64)
            .build();
    k.fixture.api.client().resource(wrongKey).createOr(NonDeletingOperation::update);
    k.issuer("wrong-key", k.kdc.principal(KerberosKdc.ACME), "wrong-key", "www.example.test");
    assertThat(fails(k.post("Present", "wrong-key", GRANTED, token()), "KeyUnavailable"))
        .contains("Secret kerberos/wrong-key")
        .contains("no data key 'keytab'");
  }

  @Test
  @Order(Integer.MAX_VALUE) // after the other cases: their lines are checked too
  void noLogLineHoldsTheKeytab() {
    if (k.logins("success") == 0) {
      k.acmeIssuer("logged", "www.example.test");
      KerberosWebhook.succeeds(k.post("CleanUp", "logged", GRANTED, token()));
    }
    k.assertNoKeytabLogged();
  }
}
