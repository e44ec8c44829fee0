package io.dnsupdate.webhook.challenge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The {@code request} of a cert-manager ChallengePayload, POSTed to {@code
 * /apis/acme.dnsupdate.io/v1alpha1/dnsupdate}.
 *
 * @param uid identifies the round trip; arrives as "" from current cert-manager
 * @param action Present or CleanUp
 * @param type the challenge type; only {@code dns-01}
 * @param dnsName the name being validated (without {@code *.}, even for wildcards)
 * @param key the TXT value to publish
 * @param resourceNamespace the Issuer's namespace (or cert-manager's cluster resource namespace)
 * @param resolvedFqdn the challenge name after following CNAMEs, e.g. {@code
 *     _acme-challenge.example.com.}; may be empty
 * @param resolvedZone the zone cert-manager found for it by public SOA queries; may be empty
 * @param allowAmbientCredentials cert-manager's hint; there are no ambient credentials here
 * @param config the solver config from the Issuer ({@code {issuer: NAME}}), or null
 */
public record ChallengeRequest(
    String uid,
    ChallengeAction action,
    String type,
    String dnsName,
    String key,
    String resourceNamespace,
    String resolvedFqdn,
    String resolvedZone,
    boolean allowAmbientCredentials,
    JsonNode config) {
  public ChallengeRequest {
    uid = uid == null ? "" : uid;
    Objects.requireNonNull(action, "action");
    type = type == null ? "" : type;
    dnsName = dnsName == null ? "" : dnsName;
    key = key == null ? "" : key;
    resourceNamespace = resourceNamespace == null ? "" : resourceNamespace;
    resolvedFqdn = resolvedFqdn == null ? "" : resolvedFqdn;
    resolvedZone = resolvedZone == null ? "" : resolvedZone;
  }
}
