package io.dnsupdate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dnsupdate.e2e.acme.ChallengeSolver;
import io.dnsupdate.e2e.acme.DnsChallenge;
import io.dnsupdate.testkit.k8s.FrontProxyClient;

/**
 * cert-manager's side of the webhook contract: one {@code ChallengePayload} per Present or CleanUp,
 * POSTed through the front proxy exactly as kube-apiserver forwards it, with a failure when the
 * answer says {@code success: false}.
 */
public final class WebhookSolver implements ChallengeSolver {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FrontProxyClient client;
  private final String namespace;
  private final String issuer;

  /**
   * @param namespace the challenge's resourceNamespace (a namespaced Issuer's namespace)
   * @param issuer the DnsUpdateIssuer named in the solver config
   */
  public WebhookSolver(FrontProxyClient client, String namespace, String issuer) {
    this.client = client;
    this.namespace = namespace;
    this.issuer = issuer;
  }

  @Override
  public void present(DnsChallenge challenge) throws SolverException {
    call("Present", challenge);
  }

  @Override
  public void cleanUp(DnsChallenge challenge) throws SolverException {
    call("CleanUp", challenge);
  }

  /** The body cert-manager sends (apiVersion/kind included, uid empty as it arrives). */
  public String payload(String action, DnsChallenge challenge) {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", "webhook.acme.cert-manager.io/v1alpha1");
    root.put("kind", "ChallengePayload");
    ObjectNode request = root.putObject("request");
    request.put("uid", "");
    request.put("action", action);
    request.put("type", "dns-01");
    request.put("dnsName", challenge.dnsName());
    request.put("key", challenge.key());
    request.put("resourceNamespace", namespace);
    request.put("resolvedFQDN", challenge.fqdn());
    request.put("resolvedZone", zoneOf(challenge));
    request.put("allowAmbientCredentials", false);
    request.putObject("config").put("issuer", issuer);
    return root.toString();
  }

  private void call(String action, DnsChallenge challenge) throws SolverException {
    FrontProxyClient.Response response = client.postChallenge(payload(action, challenge));
    if (response.status() != 201) {
      throw new SolverException(
          action + " " + challenge + ": HTTP " + response.status() + " " + response.body());
    }
    try {
      JsonNode answer = JSON.readTree(response.body()).path("response");
      if (!answer.path("success").asBoolean(false)) {
        throw new SolverException(
            action
                + " "
                + challenge
                + " failed: "
                + answer.path("status").path("message").asText());
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SolverException(
          action + " " + challenge + ": unreadable answer " + response.body());
    }
  }

  private static String zoneOf(DnsChallenge challenge) {
    // cert-manager's resolvedZone comes from its own SOA lookup; the webhook must not rely on it
    return challenge.dnsName().substring(challenge.dnsName().indexOf('.') + 1) + ".";
  }

  /** The webhook answered success: false (or not 201); the message is the webhook's. */
  public static final class SolverException extends Exception {
    public SolverException(String message) {
      super(message);
    }
  }
}
