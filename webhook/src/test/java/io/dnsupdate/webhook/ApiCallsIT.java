package io.dnsupdate.webhook;

import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.testkit.k8s.MockKubernetesApi;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Path REQUIRED =
      Path.of(System.getProperty("dnsupdate.crdDir", "../crds"))
          .resolveSibling("charts/src/test/resources/required-permissions.yaml");

  private static final Pattern CORE =
      Pattern.compile("^/api/v1/(namespaces/([^/]+)/)?([a-z]+)(/([^/]+))?$");
  private static final Pattern GROUPED =
      Pattern.compile("^/apis/([^/]+)/([^/]+)/(namespaces/([^/]+)/)?([a-z]+)(/([^/]+))?$");

  /** What one request asks for, in RBAC terms. */
  record Access(String group, String resource, String verb, String namespace, String name) {
    String rule() {
      return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
    }
  }

  static Access classify(MockKubernetesApi.Call call) {
    String path = call.bare();
    String query = call.path().contains("?") ? call.path().substring(call.path().indexOf('?')) : "";
    String group;
    String namespace;
    String resource;
    String name;
    Matcher m = CORE.matcher(path);
    if (m.matches()) {
      group = "";
      namespace = m.group(2);
      resource = m.group(3);
      name = m.group(5);
    } else {
      Matcher g = GROUPED.matcher(path);
      if (!g.matches()) {
        throw new AssertionError("unexpected API call " + call);
      }
      group = g.group(1);
      namespace = g.group(4);
      resource = g.group(5);
      name = g.group(7);
    }
    String decoded = URLDecoder.decode(query, StandardCharsets.UTF_8);
    Matcher byName = Pattern.compile("fieldSelector=metadata\\.name=([^&]+)").matcher(decoded);
    if (name == null && byName.find()) {
      name = byName.group(1);
    }
    String verb =
        switch (call.method()) {
          case "GET" ->
              path.matches(".*/" + resource + "/[^/]+$")
                  ? "get"
                  : decoded.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> "delete";
          default -> call.method();
        };
    return new Access(group, resource, verb, namespace, name);
  }

  /** The chart's own grants plus what the built-in roles it binds give. */
  static boolean granted(Access a, JsonNode permissions) {
    for (JsonNode p : permissions) {
      if (p.get("apiGroup").asText().equals(a.group())
          && p.get("resource").asText().equals(a.resource())) {
        for (JsonNode v : p.get("verbs")) {
          if (v.asText().equals(a.verb())) {
            return true;
          }
        }
      }
    }
    // system:auth-delegator
    if (a.group().equals("authorization.k8s.io")
        && a.resource().equals("subjectaccessreviews")
        && a.verb().equals("create")) {
      return true;
    }
    // extension-apiserver-authentication-reader (kube-system, that ConfigMap only)
    return a.group().isEmpty()
        && a.resource().equals("configmaps")
        && "kube-system".equals(a.namespace())
        && "extension-apiserver-authentication".equals(a.name())
        && Set.of("get", "list", "watch").contains(a.verb());
  }

  @Test
  void everyCallIsGrantedByTheChart(NamedServer named) throws IOException {
    JsonNode permissions =
        new ObjectMapper(new YAMLFactory())
            .readTree(REQUIRED.toFile())
            .get("subjects")
            .get("webhook")
            .get("permissions");
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

      Set<Access> seen = new HashSet<>();
      for (MockKubernetesApi.Call call : fixture.api.calls()) {
        if (call.token().equals(MockKubernetesApi.DEFAULT_TOKEN)) {
          seen.add(classify(call));
        }
      }
      for (Access a : seen) {
        assertThat(granted(a, permissions)).as("%s is granted to the webhook", a).isTrue();
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
