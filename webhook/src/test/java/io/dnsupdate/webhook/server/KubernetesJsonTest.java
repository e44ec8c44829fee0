package io.dnsupdate.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The discovery documents and Status bodies, field for field: kube-apiserver's aggregator and
 * discovery client read them, so they stay what they were when written by hand.
 */
class KubernetesJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String VERSION =
      "{\"groupVersion\":\"acme.dnsupdate.io/v1alpha1\",\"version\":\"v1alpha1\"}";
  private static final String GROUP_FIELDS =
      "\"name\":\"acme.dnsupdate.io\",\"versions\":["
          + VERSION
          + "],\"preferredVersion\":"
          + VERSION;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/apis| {\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[{"
            + GROUP_FIELDS
            + "}]}",
        "/apis/acme.dnsupdate.io| {\"kind\":\"APIGroup\",\"apiVersion\":\"v1\","
            + GROUP_FIELDS
            + "}",
        "/apis/acme.dnsupdate.io/v1alpha1| {\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\","
            + "\"groupVersion\":\"acme.dnsupdate.io/v1alpha1\",\"resources\":[{\"name\":\"dnsupdate\","
            + "\"singularName\":\"challengepayload\",\"namespaced\":false,"
            + "\"kind\":\"ChallengePayload\",\"verbs\":[\"create\"]}]}"
      })
  void discoveryDocuments(String path, String expected) throws Exception {
    assertThat(JSON.readTree(new Discovery().document(path))).isEqualTo(JSON.readTree(expected));
  }

  @Test
  void failureStatus() throws Exception {
    assertThat(tree(Statuses.failure(404, "NotFound", "the server could not find /x")))
        .isEqualTo(
            JSON.readTree(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"the server could not find /x\","
                    + "\"reason\":\"NotFound\",\"code\":404}"));
  }

  @Test
  void forbiddenStatusSaysWhatKubeApiserverWould() throws Exception {
    assertThat(tree(Statuses.forbidden("jane", "no RBAC rule")))
        .isEqualTo(
            JSON.readTree(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    + "\"status\":\"Failure\",\"message\":\"dnsupdate.acme.dnsupdate.io is"
                    + " forbidden: User \\\"jane\\\" cannot create resource \\\"dnsupdate\\\" in API"
                    + " group \\\"acme.dnsupdate.io\\\" at the cluster scope: no RBAC rule\","
                    + "\"reason\":\"Forbidden\","
                    + "\"details\":{\"group\":\"acme.dnsupdate.io\",\"kind\":\"dnsupdate\"},"
                    + "\"code\":403}"));
  }

  private static JsonNode tree(byte[] body) throws Exception {
    return JSON.readTree(body);
  }
}
