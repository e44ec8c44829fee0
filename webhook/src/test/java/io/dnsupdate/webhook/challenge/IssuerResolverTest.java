package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.DnsUpdateIssuerStatus;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.webhook.WebhookFixture;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
    assertThatThrownBy(() -> new IssuerResolver(directory, keys).resolve("team-a", "dns", FQDN))
        .isInstanceOf(SolverFailure.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((SolverFailure) e).reason()).isEqualTo(reason));
    assertThat(secretReads).hasValue(0);
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
}
