package io.dnsupdate.webhook;

import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.ApiAccess;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import io.dnsupdate.testkit.k8s.RequiredPermissions;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every Kubernetes API call the webhook makes is one the chart grants it
 * (charts/src/test/resources/required-permissions.yaml): the webhook is exercised through
 * discovery, a Present and CleanUp, a missing Secret and a denied caller, and each request it sent
 * to the mock API server is matched against the granted rules.
 */
@ExtendWith(NamedExtension.class)
class ApiCallsIT {
  @Test
  void everyCallIsGrantedByTheChart(NamedServer named) throws IOException {
    RequiredPermissions permissions = RequiredPermissions.load();
    Set<String> used = new TreeSet<>();
    try (WebhookFixture fixture = WebhookFixture.start()) {
      fixture.createKey("team-a", "acme", TestKeys.ACME);
      fixture.createIssuer("team-a", "example-test", WebhookFixture.spec(named, "acme"));
      fixture.createIssuer("team-a", "ghost", WebhookFixture.spec(named, "ghost"));
      String fqdn = "_acme-challenge.example.test.";
      String key = token();
      fixture.certManager().get("/apis/acme.dnsupdate.io/v1alpha1");
      fixture.certManager().postChallenge(payload("Present", "team-a", "example-test", fqdn, key));
      fixture.certManager().postChallenge(payload("CleanUp", "team-a", "example-test", fqdn, key));
      fixture.certManager().postChallenge(payload("Present", "team-a", "ghost", fqdn, key));
      fixture
          .caller()
          .user("mallory")
          .build()
          .postChallenge(payload("Present", "team-a", "x", fqdn, key));

      Set<ApiAccess> seen = new HashSet<>();
      for (MockKubernetesApi.Call call : fixture.api.calls()) {
        if (call.token().equals(MockKubernetesApi.DEFAULT_TOKEN)) {
          seen.add(ApiAccess.of(call));
        }
      }
      for (ApiAccess a : seen) {
        assertThat(permissions.grants("webhook", a)).as("%s is granted to the webhook", a).isTrue();
        used.add(a.rule() + (a.namespace() == null ? " (all namespaces)" : " in " + a.namespace()));
      }
    }
    System.out.println("[api-calls] the webhook used: " + used);
    assertThat(used)
        .anyMatch(s -> s.startsWith("core secrets get"))
        .anyMatch(s -> s.startsWith("authorization.k8s.io subjectaccessreviews create"))
        .anyMatch(s -> s.startsWith("dnsupdate.io dnsupdateissuers watch"))
        .anyMatch(s -> s.startsWith("core configmaps watch in kube-system"))
        .noneMatch(s -> s.startsWith("core secrets list") || s.startsWith("core secrets watch"));
  }
}
