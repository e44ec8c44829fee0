package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.GssAlgorithm;
import io.dnsupdate.config.IssuerCredential;
import io.dnsupdate.dns.FailureReason;
import io.dnsupdate.dns.gss.KerberosIdentity;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.MutableClock;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The login cache against a real MIT KDC, with a clock the test moves: one login for concurrent
 * challenges, a new one before the ticket-granting ticket ends and when the keytab Secret changes,
 * the old one closed only when its last lease ends, and failed logins held for a short while.
 */
class KerberosLoginsIT {
  static final String NS = "team-k";

  static KerberosKdc kdc;

  final Map<String, Secret> secrets = new ConcurrentHashMap<>();
  final AtomicInteger secretReads = new AtomicInteger();
  final AtomicInteger loginCalls = new AtomicInteger();
  MutableClock clock;
  WebhookMetrics metrics;
  KerberosLogins logins;

  @BeforeAll
  static void startKdc() {
    kdc = KerberosKdc.startStandard();
  }

  @AfterAll
  static void stopKdc() {
    kdc.close();
  }

  @BeforeEach
  void newCache() {
    // the JDK's Kerberos runs on the real clock: start the test's clock there
    clock = new MutableClock(Instant.now());
    metrics = WebhookMetrics.inMemory();
    logins =
        new KerberosLogins(
            (ns, name) -> {
              secretReads.incrementAndGet();
              return secrets.get(ns + "/" + name);
            },
            (principal, kdcs, keytab, source) -> {
              loginCalls.incrementAndGet();
              return KerberosIdentity.login(principal, kdcs, keytab, source);
            },
            clock,
            metrics);
  }

  @AfterEach
  void closeCache() {
    logins.close();
  }

  void keytab(String name, String principal, String version) {
    secrets.put(
        NS + "/" + name,
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(name)
            .withUid("uid-" + name)
            .withResourceVersion(version)
            .endMetadata()
            .addToData("keytab", Base64.getEncoder().encodeToString(kdc.keytabBytes(principal)))
            .build());
  }

  static DnsUpdateIssuer issuer(String name) {
    DnsUpdateIssuer i = new DnsUpdateIssuer();
    i.setMetadata(
        new ObjectMetaBuilder().withNamespace(NS).withName(name).withUid("uid-" + name).build());
    return i;
  }

  IssuerCredential.Kerberos settings(String principal, String secret) {
    return new IssuerCredential.Kerberos(
        kdc.principal(principal),
        List.of(kdc.kdcAddress()),
        secret,
        "keytab",
        Optional.of(kdc.principal(KerberosKdc.DNS_SERVICE)),
        GssAlgorithm.GSS_TSIG);
  }

  @Test
  void concurrentChallengesShareOneLogin() throws Exception {
    keytab("acme-keytab", KerberosKdc.ACME, "1");
    int n = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(n);
    try {
      List<Future<KerberosLogin>> leases = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        leases.add(
            threads.submit(
                () -> {
                  go.await();
                  return logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab"));
                }));
      }
      go.countDown();
      KerberosLogin first = leases.get(0).get(30, TimeUnit.SECONDS);
      for (Future<KerberosLogin> f : leases) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isSameAs(first);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(loginCalls).hasValue(1);
    assertThat(metrics.kerberosLogins("success")).isEqualTo(1);
    // every challenge read the Secret (for its version); none read it for another
    assertThat(secretReads.get()).isBetween(1, n);
  }

  @Test
  void aLoginIsReplacedBeforeItsTicketEndsAndClosedWhenItsLastLeaseEnds() throws Exception {
    keytab("acme-keytab", KerberosKdc.ACME, "1");
    KerberosLogin first = logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab"));
    // the standard KDC grants 10 h tickets
    assertThat(first.renewAt())
        .isBetween(
            Instant.now().plus(Duration.ofHours(9)),
            Instant.now().plus(Duration.ofHours(10)).minus(KerberosLogins.RENEW_MARGIN));

    // used now and then: kept (and the same) up to its renewal
    while (clock.instant().isBefore(first.renewAt().minus(Duration.ofMinutes(30)))) {
      clock.advance(Duration.ofMinutes(30));
      KerberosLogin again = logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab"));
      assertThat(again).isSameAs(first);
      again.release();
    }
    clock.set(first.renewAt().plusSeconds(1));
    KerberosLogin second = logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab"));

    assertThat(second).isNotSameAs(first);
    assertThat(loginCalls).hasValue(2);
    assertThat(first.lease()).as("a replaced login takes no new challenge").isFalse();
    assertThat(first.closed()).as("still leased to a challenge").isFalse();
    first.release();
    await().atMost(Duration.ofSeconds(10)).until(first::closed);
    second.release();
    assertThat(second.closed()).isFalse();
  }

  @Test
  void aChangedKeytabSecretIsANewLoginAndTheOldOneIsDropped() throws Exception {
    keytab("acme-keytab", KerberosKdc.ACME, "1");
    KerberosLogin first = logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab"));
    first.release();
    assertThat(logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab")))
        .isSameAs(first);
    first.release();

    keytab("acme-keytab", KerberosKdc.ACME, "2");
    KerberosLogin second = logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "acme-keytab"));

    assertThat(second).isNotSameAs(first);
    await().atMost(Duration.ofSeconds(10)).until(first::closed);
    assertThat(logins.size()).isEqualTo(1);
    second.release();
  }

  @Test
  void aFailedLoginIsHeldBrieflyAndAChangedSecretIsTriedAtOnce() throws Exception {
    keytab("bad-keytab", KerberosKdc.OTHER, "1"); // no key of acme in it
    IssuerCredential.Kerberos acmeWithBadKeytab = settings(KerberosKdc.ACME, "bad-keytab");

    assertThatThrownBy(() -> logins.lease(issuer("dns"), acmeWithBadKeytab))
        .isInstanceOfSatisfying(
            SolverFailure.class,
            f -> assertThat(f.reason()).isEqualTo(FailureReason.KerberosFailed));
    assertThatThrownBy(() -> logins.lease(issuer("dns"), acmeWithBadKeytab))
        .hasMessageContaining("failed less than 15 s ago");
    assertThat(loginCalls).hasValue(1);

    clock.advance(KerberosLogins.FAILURE_HOLD.plusSeconds(1));
    assertThatThrownBy(() -> logins.lease(issuer("dns"), acmeWithBadKeytab))
        .isInstanceOf(SolverFailure.class)
        .hasMessageNotContaining("failed less than");
    assertThat(loginCalls).hasValue(2);

    keytab("bad-keytab", KerberosKdc.ACME, "2"); // fixed
    KerberosLogin fixed = logins.lease(issuer("dns"), acmeWithBadKeytab);
    assertThat(loginCalls).hasValue(3);
    assertThat(metrics.kerberosLogins("KerberosFailed")).isEqualTo(2);
    fixed.release();
  }

  @Test
  void aMissingSecretOrKeyNamesBoth() {
    assertThatThrownBy(() -> logins.lease(issuer("dns"), settings(KerberosKdc.ACME, "absent")))
        .isInstanceOfSatisfying(
            SolverFailure.class,
            f -> assertThat(f.reason()).isEqualTo(SolverFailure.Reason.KeyUnavailable))
        .hasMessageContaining("Secret team-k/absent")
        .hasMessageContaining("data key 'keytab'");
    assertThat(loginCalls).hasValue(0);
  }

  @Test
  void renewalComesBeforeTheTicketEnds() {
    Instant now = Instant.parse("2025-06-01T08:00:00Z");
    assertThat(KerberosLogins.renewAt(Optional.of(now.plus(Duration.ofHours(10))), now))
        .isEqualTo(now.plus(Duration.ofHours(10)).minus(KerberosLogins.RENEW_MARGIN));
    // a short ticket: halfway, never after its end
    assertThat(KerberosLogins.renewAt(Optional.of(now.plus(Duration.ofMinutes(20))), now))
        .isEqualTo(now.plus(Duration.ofMinutes(10)));
    assertThat(KerberosLogins.renewAt(Optional.empty(), now))
        .isEqualTo(now.plus(KerberosLogins.UNKNOWN_TICKET_LIFETIME));
  }

  @Test
  void aKeytabPrintsNoBytes() {
    byte[] bytes = kdc.keytabBytes(KerberosKdc.ACME);
    String text = new KeytabSecrets.Keytab("u", "7", bytes).toString();
    assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(bytes).substring(0, 16));
    assertThat(text).isEqualTo("Keytab[uid=u, resourceVersion=7]");
  }
}
