package io.dnsupdate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.api.DnsUpdateIssuer;
import io.dnsupdate.api.OutsideGrants;
import io.dnsupdate.api.TsigKey;
import io.dnsupdate.testkit.PortReservation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A steady, Ready DnsUpdateIssuer costs a GitOps tool nothing: probe after probe finds the same
 * outcome and the operator writes no status, so the resourceVersion a tool watches stays put. An
 * operator of its own probes the namespace every 2 s ({@code PROBE_INTERVAL}, the operator's
 * option, which the chart sets from {@code operator.probeInterval}), and its {@code /metrics}
 * counts the probes under the name docs/gitops.md gives; every metric name operator/README.md
 * documents is there.
 */
@ExtendWith(RealCluster.Extension.class)
class SteadyIssuerIT {
  /** The counter docs/gitops.md names, for the probe outcome of a Ready issuer. */
  private static final Pattern AUTHENTICATED =
      Pattern.compile(
          "(?m)^dnsupdate_issuer_outcomes_total\\{[^}]*reason=\"Authenticated\"[^}]*} (\\S+)$");

  private static final int PROBES = 5;

  @Test
  void probesThatFindTheSameOutcomeWriteNoStatus(RealCluster cluster) throws Exception {
    String ns = "steady";
    DnsUpdateIssuer ready = cluster.readyIssuer(ns, "steady.example.test");
    // through kube-apiserver's structural schema: the webhook trusts BIND's NOERROR on this
    assertThat(ready.getStatus().getOutsideGrants()).isEqualTo(OutsideGrants.Refused);
    TsigKey key =
        cluster
            .admin()
            .resources(TsigKey.class)
            .inNamespace(ns)
            .withName(ready.getSpec().getTsigKeyRef().getName())
            .get();
    String issuerVersion = ready.getMetadata().getResourceVersion();
    String keyVersion = key.getMetadata().getResourceVersion();

    PortReservation http = PortReservation.reserve("127.0.0.1");
    int port = http.port();
    // without leader election: the cluster's own operator holds the Lease, and this one only
    // watches this namespace (the cluster's operator probes it every 5 min, its default)
    ComponentProcess prober =
        cluster.startOperator(
            "operator-steady",
            Map.of(
                "LEADER_ELECTION",
                "false",
                "WATCH_NAMESPACES",
                ns,
                "PROBE_INTERVAL",
                "2s",
                "HTTP_PORT",
                String.valueOf(port)));
    try {
      HttpClient client = HttpClient.newHttpClient();
      URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
      long started = System.nanoTime();
      cluster
          .await(PROBES + " probes of the Ready issuer counted in the operator's metrics")
          .atMost(Duration.ofMinutes(2))
          .until(() -> authenticated(client, metrics), n -> n >= PROBES);
      System.out.printf(
          "%d probes of a steady issuer in %d ms%n",
          PROBES, (System.nanoTime() - started) / 1_000_000);

      // every operator metric operator/README.md documents, by the names it gives
      String scraped = scrape(client, metrics);
      assertThat(scraped)
          .containsPattern(
              "(?m)^dnsupdate_issuer_reconcile_seconds_count\\{[^}]*reason=\"Authenticated\"")
          .containsPattern("(?m)^operator_sdk_\\w+")
          .containsPattern("(?m)^jvm_\\w+");

      DnsUpdateIssuer after = cluster.admin().resource(ready).get();
      assertThat(after.getMetadata().getResourceVersion())
          .as("the issuer's resourceVersion after %d probes that found it Ready", PROBES)
          .isEqualTo(issuerVersion);
      assertThat(after.getStatus()).isEqualTo(ready.getStatus());
      assertThat(cluster.admin().resource(key).get().getMetadata().getResourceVersion())
          .as("the TsigKey's resourceVersion")
          .isEqualTo(keyVersion);
    } finally {
      prober.close();
      http.close();
    }
  }

  private static double authenticated(HttpClient client, URI metrics) throws Exception {
    Matcher m = AUTHENTICATED.matcher(scrape(client, metrics));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static String scrape(HttpClient client, URI metrics) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
