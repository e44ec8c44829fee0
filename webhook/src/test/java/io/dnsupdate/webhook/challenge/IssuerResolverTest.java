package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.api.TsigKeyStatus;
import io.dnsupdate.config.IssuerSettings;
import io.dnsupdate.config.KeyMaterial;
import io.dnsupdate.config.KeySecretCodec;
import io.dnsupdate.dns.TsigAlgorithm;
import io.dnsupdate.dns.TsigCredentials;
import io.dnsupdate.testkit.MutableClock;
import io.dnsupdate.webhook.WebhookFixture;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** Which issuers are refused before their spec is read or any Secret is touched. */
class IssuerResolverTest {
  private static final Name FQDN = Name.fromConstantString("_acme-challenge.example.com.");

  private final AtomicInteger secretReads = new AtomicInteger();
  private final KeyMaterialCache keys =
      new KeyMaterialCache(
          (ns, name) -> {
            secretReads.incrementAndGet();
            return null;
          },
          Clock.systemUTC());

  private static ResourceDirectory directory(boolean synced, DnsUpdateIssuer issuer) {
    return new ResourceDirectory() {
      @Override
      public Optional<DnsUpdateIssuer> issuer(String namespace, String name) {
        return Optional.ofNullable(issuer)
            .filter(i -> i.getMetadata().getNamespace().equals(namespace))
            .filter(i -> i.getMetadata().getName().equals(name));
      }

      @Override
      public Optional<TsigKey> tsigKey(String namespace, String name) {
        return Optional.empty();
      }

      @Override
      public boolean synced() {
        return synced;
      }
    };
  }

  private static DnsUpdateIssuer issuer(DnsUpdateIssuerStatus status, long generation) {
    DnsUpdateIssuer issuer = new DnsUpdateIssuer();
    issuer.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("dns")
            .withGeneration(generation)
            .build());
    issuer.setStatus(status);
    return issuer;
  }

  private static DnsUpdateIssuerStatus status(String ready, String reason, long observed) {
    DnsUpdateIssuerStatus status = new DnsUpdateIssuerStatus();
    status.setConditions(List.of(WebhookFixture.ready(ready, reason, "the probe failed")));
    status.setObservedGeneration(observed);
    return status;
  }

  private void assertRefused(
      ResourceDirectory directory, SolverFailure.Reason reason, String message) {
    assertThatThrownBy(
            () ->
                new IssuerResolver(directory, keys, noLogins(), Clock.systemUTC())
                    .resolve("team-a", "dns", FQDN))
        .isInstanceOf(SolverFailure.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((SolverFailure) e).reason()).isEqualTo(reason));
    assertThat(secretReads).hasValue(0);
  }

  /** TSIG issuers only here: a Kerberos login would be a bug. */
  private static KerberosLogins noLogins() {
    return new KerberosLogins(
        (ns, name) -> {
          throw new AssertionError("keytab read");
        },
        (principal, kdcs, keytab, source) -> {
          throw new AssertionError("Kerberos login");
        },
        Clock.systemUTC(),
        WebhookMetrics.inMemory());
  }

  @Test
  void notSynced() {
    assertRefused(
        directory(false, issuer(status("True", "Authenticated", 1), 1)),
        SolverFailure.Reason.NotReady,
        "still loading");
  }

  @Test
  void otherNamespaceIsNeverUsed() {
    DnsUpdateIssuer elsewhere = issuer(status("True", "Authenticated", 1), 1);
    elsewhere.getMetadata().setNamespace("team-b");
    assertRefused(
        directory(true, elsewhere),
        SolverFailure.Reason.IssuerNotFound,
        "DnsUpdateIssuer dns does not exist in namespace team-a");
  }

  @Test
  void neverChecked() {
    assertRefused(
        directory(true, issuer(null, 1)),
        SolverFailure.Reason.IssuerNotReady,
        "is not Ready: the operator has not checked it yet");
  }

  @Test
  void notReadySaysWhy() {
    assertRefused(
        directory(true, issuer(status("False", "KeyRejected", 1), 1)),
        SolverFailure.Reason.IssuerNotReady,
        "DnsUpdateIssuer team-a/dns is not Ready (KeyRejected): the probe failed");
  }

  @Test
  void readyForAnOlderGeneration() {
    assertRefused(
        directory(true, issuer(status("True", "Authenticated", 1), 2)),
        SolverFailure.Reason.IssuerNotReady,
        "changed (generation 2) and the operator has not checked it since (observedGeneration 1)");
  }

  @Test
  void aKerberosIssuerRefusesANameBeforeItsKeytabIsRead() {
    DnsUpdateIssuer issuer = issuer(status("True", "Authenticated", 1), 1);
    DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
    spec.setNameservers(List.of("127.0.0.1:53"));
    spec.setDomains(List.of("example.org"));
    DnsUpdateIssuerSpec.Kerberos kerberos = new DnsUpdateIssuerSpec.Kerberos();
    kerberos.setPrincipal("acme@EXAMPLE.ORG");
    kerberos.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef("acme-keytab", "keytab"));
    kerberos.setServicePrincipal("DNS/ns1.example.org@EXAMPLE.ORG");
    spec.setKerberos(kerberos);
    issuer.setSpec(spec);
    // noLogins() fails the test on any keytab read or login
    assertRefused(
        directory(true, issuer),
        SolverFailure.Reason.DomainNotAllowed,
        "is not a challenge name for the domains of DnsUpdateIssuer team-a/dns");
  }

  /** A Ready issuer with a usable key: what the settings cache sees between probes. */
  @Nested
  class SettingsCache {
    final AtomicReference<DnsUpdateIssuer> current = new AtomicReference<>();
    final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
    final KeyMaterialCache keyMaterial =
        new KeyMaterialCache(
            (ns, name) ->
                new SecretBuilder()
                    .withData(
                        KeySecretCodec.toData(
                            KeyMaterial.of(
                                TsigCredentials.fromBase64(
                                    "acme.",
                                    TsigAlgorithm.HMAC_SHA256,
                                    "zkRQRKrfa0V8dBX/JzdIE6B68Nes6PS85h85otsS5VE="))))
                    .build(),
            Clock.systemUTC());
    final IssuerResolver resolver = new IssuerResolver(directory(), keyMaterial, noLogins(), clock);

    ResourceDirectory directory() {
      TsigKey key = new TsigKey();
      key.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("acme").build());
      key.setStatus(new TsigKeyStatus());
      key.getStatus().setSecretName("acme-tsig");
      return new ResourceDirectory() {
        @Override
        public Optional<DnsUpdateIssuer> issuer(String namespace, String name) {
          return Optional.ofNullable(current.get());
        }

        @Override
        public Optional<TsigKey> tsigKey(String namespace, String name) {
          return Optional.of(key);
        }

        @Override
        public boolean synced() {
          return true;
        }
      };
    }

    /** The issuer as the informer would hand it over: spec, generation and resourceVersion. */
    DnsUpdateIssuer served(String uid, long generation, String resourceVersion, String... domains) {
      DnsUpdateIssuerSpec spec = new DnsUpdateIssuerSpec();
      spec.setNameservers(List.of("127.0.0.1:53"));
      spec.setTsigKeyRef(new DnsUpdateIssuerSpec.TsigKeyRef("acme"));
      spec.setDomains(List.of(domains));
      DnsUpdateIssuer issuer = issuer(status("True", "Authenticated", generation), generation);
      issuer.getMetadata().setUid(uid);
      issuer.getMetadata().setResourceVersion(resourceVersion);
      issuer.setSpec(spec);
      return issuer;
    }

    IssuerSettings resolve(DnsUpdateIssuer issuer) throws SolverFailure {
      current.set(issuer);
      return resolver.resolve("team-a", "dns", FQDN).settings();
    }

    @Test
    void aStatusOnlyChangeHitsTheCache() throws Exception {
      IssuerSettings first = resolve(served("u1", 3, "100", "example.com"));

      // each probe rewrites the status: new resourceVersion, same generation
      assertThat(resolve(served("u1", 3, "101", "example.com"))).isSameAs(first);
      assertThat(resolve(served("u1", 3, "102", "example.com"))).isSameAs(first);
      assertThat(resolver.cachedSettings()).isEqualTo(1);
    }

    @Test
    void aNewGenerationIsParsedAgain() throws Exception {
      IssuerSettings first = resolve(served("u1", 3, "100", "example.com"));

      IssuerSettings changed = resolve(served("u1", 4, "101", "example.com", "example.org"));

      assertThat(changed).isNotSameAs(first);
      assertThat(changed.domainPolicy().domains())
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("example.com.", "example.org.");
    }

    @Test
    void aRecreatedIssuerIsParsedAgain() throws Exception {
      IssuerSettings first = resolve(served("u1", 1, "100", "example.com"));

      assertThat(resolve(served("u2", 1, "200", "example.com"))).isNotSameAs(first);
    }

    @Test
    void anIssuerUnusedForAnHourIsForgotten() throws Exception {
      IssuerSettings first = resolve(served("u1", 3, "100", "example.com"));
      clock.advance(IssuerResolver.SETTINGS_IDLE.minusNanos(1));
      assertThat(resolve(served("u1", 3, "101", "example.com"))).isSameAs(first);

      clock.advance(IssuerResolver.SETTINGS_IDLE);

      assertThat(resolve(served("u1", 3, "102", "example.com"))).isNotSameAs(first);
    }

    @Test
    void keepsAtMostMaxSettings() throws Exception {
      for (int i = 0; i < IssuerResolver.MAX_SETTINGS + 100; i++) {
        resolve(served("u" + i, 1, "1", "example.com"));
      }

      assertThat(resolver.cachedSettings()).isLessThanOrEqualTo(IssuerResolver.MAX_SETTINGS);
    }
  }
}
