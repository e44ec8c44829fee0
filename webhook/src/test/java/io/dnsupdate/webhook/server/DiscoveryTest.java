package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What kube-apiserver reads from the webhook before it routes a single challenge to it. */
class DiscoveryTest {
  static WebhookFixture fixture;
  static FrontProxyClient aggregator;

  @BeforeAll
  static void start() {
    fixture = WebhookFixture.start();
    // kube-apiserver's availability probe identity
    aggregator = fixture.caller().user("system:kube-aggregator").groups("system:masters").build();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Nested
  class Documents {
    @Test
    void apisListsTheSolverGroup() {
      FrontProxyClient.Response r = aggregator.get("/apis");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).startsWith("application/json");
      JsonNode body = WebhookFixture.json(r.body());
      assertThat(body.get("kind").asText()).isEqualTo("APIGroupList");
      assertThat(body.get("apiVersion").asText()).isEqualTo("v1");
      JsonNode group = body.get("groups").get(0);
      assertThat(group.get("name").asText()).isEqualTo("acme.dnsupdate.io");
      assertThat(group.get("versions").get(0).get("groupVersion").asText())
          .isEqualTo("acme.dnsupdate.io/v1alpha1");
      assertThat(group.get("preferredVersion").get("version").asText()).isEqualTo("v1alpha1");
    }

    @Test
    void groupDocument() {
      FrontProxyClient.Response r = aggregator.get("/apis/acme.dnsupdate.io");

      assertThat(r.status()).isEqualTo(200);
      JsonNode body = WebhookFixture.json(r.body());
      assertThat(body.get("kind").asText()).isEqualTo("APIGroup");
      assertThat(body.get("name").asText()).isEqualTo("acme.dnsupdate.io");
      assertThat(body.get("preferredVersion").get("groupVersion").asText())
          .isEqualTo("acme.dnsupdate.io/v1alpha1");
    }

    @Test
    void resourceListHasOneClusterScopedCreateOnlyResource() {
      FrontProxyClient.Response r = aggregator.get("/apis/acme.dnsupdate.io/v1alpha1");

      assertThat(r.status()).isEqualTo(200);
      JsonNode body = WebhookFixture.json(r.body());
      assertThat(body.get("kind").asText()).isEqualTo("APIResourceList");
      assertThat(body.get("groupVersion").asText()).isEqualTo("acme.dnsupdate.io/v1alpha1");
      assertThat(body.get("resources")).hasSize(1);
      JsonNode resource = body.get("resources").get(0);
      assertThat(resource.get("name").asText()).isEqualTo("dnsupdate");
      assertThat(resource.get("kind").asText()).isEqualTo("ChallengePayload");
      assertThat(resource.get("namespaced").asBoolean()).isFalse();
      assertThat(resource.get("verbs")).hasSize(1);
      assertThat(resource.get("verbs").get(0).asText()).isEqualTo("create");
    }

    @Test
    void trailingSlashAndQueryAreIgnored() {
      assertThat(aggregator.get("/apis/acme.dnsupdate.io/v1alpha1/?timeout=32s").status())
          .isEqualTo(200);
    }

    @Test
    void anyAuthenticatedUserMayReadDiscoveryWithoutAReview() {
      fixture.api.clearRecorded();
      FrontProxyClient someone = fixture.caller().user("jane").build();

      assertThat(someone.get("/apis").status()).isEqualTo(200);
      assertThat(fixture.api.subjectAccessReviews()).isEmpty();
    }

    @Test
    void openApiIsNotServed() {
      assertThat(aggregator.get("/openapi/v2").status()).isEqualTo(404);
      assertThat(aggregator.get("/openapi/v3").status()).isEqualTo(404);
    }

    @Test
    void otherMethodsOnDiscoveryAre405() {
      FrontProxyClient.Response r = aggregator.post("/apis", "{}");

      assertThat(r.status()).isEqualTo(405);
      assertThat(WebhookFixture.json(r.body()).get("reason").asText())
          .isEqualTo("MethodNotAllowed");
    }

    @Test
    void getOnTheSolverResourceIs405() {
      FrontProxyClient.Response r = aggregator.get(FrontProxyClient.CHALLENGE_PATH);

      assertThat(r.status()).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).contains("POST");
    }
  }

  @Nested
  class Negotiation {
    @Test
    void aggregatedDiscoveryOnlyIs406() {
      FrontProxyClient.Response r =
          aggregator.get("/apis", FrontProxyClient.AGGREGATED_DISCOVERY_ACCEPT);

      assertThat(r.status()).isEqualTo(406);
      JsonNode status = WebhookFixture.json(r.body());
      assertThat(status.get("kind").asText()).isEqualTo("Status");
      assertThat(status.get("reason").asText()).isEqualTo("NotAcceptable");
    }

    @Test
    void aggregatedWithJsonFallbackGetsTheLegacyDocument() {
      FrontProxyClient.Response r =
          aggregator.get(
              "/apis", FrontProxyClient.AGGREGATED_DISCOVERY_ACCEPT + ",application/json");

      assertThat(r.status()).isEqualTo(200);
      assertThat(WebhookFixture.json(r.body()).get("kind").asText()).isEqualTo("APIGroupList");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "application/json",
          "*/*",
          "application/vnd.kubernetes.protobuf, application/json",
          "application/json;q=0.9"
        })
    void plainJsonIsServed(String accept) {
      assertThat(aggregator.get("/apis/acme.dnsupdate.io/v1alpha1", accept).status())
          .isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "application/vnd.kubernetes.protobuf",
          "application/json;as=Table;v=v1;g=meta.k8s.io",
          "application/json;q=0"
        })
    void nothingWeCanServeIs406(String accept) {
      assertThat(aggregator.get("/apis", accept).status()).isEqualTo(406);
    }
  }

  @Nested
  class Unauthenticated {
    @ParameterizedTest
    @ValueSource(strings = {"/healthz", "/livez", "/readyz", "/healthz/ping"})
    void healthNeedsNoCertificate(String path) {
      FrontProxyClient.Response r = fixture.anonymous().build().get(path, null);

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void metricsNeedNoCertificate() {
      aggregator.get("/apis");

      FrontProxyClient.Response r = fixture.anonymous().build().get("/metrics", null);

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("dnsupdate_webhook_requests_total");
      assertThat(r.body()).contains("route=\"discovery\"");
    }

    @Test
    void discoveryNeedsAFrontProxyIdentity() {
      FrontProxyClient.Response r =
          fixture.anonymous().user("system:kube-aggregator").build().get("/apis");

      assertThat(r.status()).isEqualTo(401);
      JsonNode status = WebhookFixture.json(r.body());
      assertThat(status.get("reason").asText()).isEqualTo("Unauthorized");
      assertThat(status.get("code").asInt()).isEqualTo(401);
    }
  }
}
