package io.dnsupdate.webhook.challenge;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.text.LogSafe;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.IOException;

/**
 * Reads a ChallengePayload and writes the answer as cert-manager's own webhook library does: the
 * payload with the request echoed and {@code response: {uid, success}} plus, on failure, {@code
 * status: {metadata: {}, status: "Failed", message, reason}} (a {@code metav1.Status}; cert-manager
 * reads its message). The type lives in cert-manager's scheme as {@code
 * webhook.acme.cert-manager.io/v1alpha1 ChallengePayload} whatever the solver group: cert-manager
 * sends that {@code apiVersion} and decodes the answer with it (another apiVersion in the answer
 * would fail its decoder), so the answer carries it too.
 */
public final class ChallengePayloadCodec {
  /** {@code apiVersion} of ChallengePayload in cert-manager's scheme: sent and expected back. */
  public static final String API_VERSION = "webhook.acme.cert-manager.io/v1alpha1";

  /** The solver's own group/version, also accepted in requests. */
  public static final String SOLVER_API_VERSION =
      ApiConstants.SOLVER_GROUP + "/" + ApiConstants.SOLVER_VERSION;

  /** {@code status.status} of a failed response, as cert-manager's library writes it. */
  public static final String FAILED = "Failed";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ChallengePayloadCodec() {}

  /**
   * Decodes a body.
   *
   * @throws InvalidPayloadException saying what is wrong (never echoing the body)
   */
  public static ChallengeRequest decode(byte[] body) throws InvalidPayloadException {
    if (body.length == 0) {
      throw new InvalidPayloadException("the request body is empty; expected a ChallengePayload");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new InvalidPayloadException(
          "the request body is not valid JSON"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ": "
              + LogSafe.of(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidPayloadException(
          "the request body cannot be read: " + LogSafe.of(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidPayloadException(
          "the request body is not a JSON object (a ChallengePayload)");
    }
    String apiVersion = text(root, "apiVersion", "");
    if (!apiVersion.isEmpty()
        && !apiVersion.equals(API_VERSION)
        && !apiVersion.equals(SOLVER_API_VERSION)) {
      throw new InvalidPayloadException(
          "apiVersion '" + LogSafe.of(apiVersion) + "' does not match the expected " + API_VERSION);
    }
    String kind = text(root, "kind", "");
    if (!kind.isEmpty() && !kind.equals(ApiConstants.SOLVER_KIND)) {
      throw new InvalidPayloadException(
          "kind '"
              + LogSafe.of(kind)
              + "' does not match the expected "
              + ApiConstants.SOLVER_KIND);
    }
    JsonNode request = root.get("request");
    if (request == null || request.isNull()) {
      throw new InvalidPayloadException("payload request field cannot be empty");
    }
    if (!request.isObject()) {
      throw new InvalidPayloadException("request: expected an object");
    }
    String action = text(request, "action", "request.");
    ChallengeAction parsed =
        ChallengeAction.fromWire(action)
            .orElseThrow(
                () ->
                    new InvalidPayloadException(
                        "unknown action type \""
                            + LogSafe.of(action)
                            + "\": request.action must be Present or CleanUp"));
    JsonNode ambient = request.get("allowAmbientCredentials");
    if (ambient != null && !ambient.isNull() && !ambient.isBoolean()) {
      throw new InvalidPayloadException("request.allowAmbientCredentials: expected true or false");
    }
    JsonNode config = request.get("config");
    return new ChallengeRequest(
        text(request, "uid", "request."),
        parsed,
        text(request, "type", "request."),
        text(request, "dnsName", "request."),
        text(request, "key", "request."),
        text(request, "resourceNamespace", "request."),
        text(request, "resolvedFQDN", "request."),
        text(request, "resolvedZone", "request."),
        ambient != null && ambient.asBoolean(),
        config == null || config.isNull() ? null : config);
  }

  /** The answer body: the payload with the response filled in. */
  public static byte[] encode(ChallengeRequest request, ChallengeResult result) {
    Status status =
        result.success()
            ? null
            : new StatusBuilder()
                // nested in the payload, as cert-manager writes it: no kind or apiVersion
                .withApiVersion(null)
                .withKind(null)
                .withMetadata(new ListMeta())
                .withStatus(FAILED)
                .withMessage(result.message())
                .withReason(result.reason())
                .build();
    Payload payload =
        new Payload(
            API_VERSION,
            ApiConstants.SOLVER_KIND,
            new Request(
                request.uid(),
                request.action().wireName(),
                request.type(),
                request.dnsName(),
                request.key(),
                request.resourceNamespace(),
                request.resolvedFqdn(),
                request.resolvedZone(),
                request.allowAmbientCredentials(),
                request.config()),
            new Response(request.uid(), result.success(), status));
    try {
      return JSON.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a ChallengePayload always serializes", e);
    }
  }

  /** The answer, field by field as cert-manager's {@code v1alpha1.ChallengePayload}. */
  private record Payload(String apiVersion, String kind, Request request, Response response) {}

  /** The request, echoed; empty optional fields are left out as cert-manager leaves them. */
  private record Request(
      String uid,
      String action,
      String type,
      String dnsName,
      String key,
      String resourceNamespace,
      @JsonProperty("resolvedFQDN") @JsonInclude(JsonInclude.Include.NON_EMPTY) String resolvedFqdn,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) String resolvedZone,
      boolean allowAmbientCredentials,
      @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode config) {}

  /** {@code status} only on failure. */
  private record Response(
      String uid, boolean success, @JsonInclude(JsonInclude.Include.NON_NULL) Status status) {}

  /** A string field, "" when absent or null; anything else is a 400. */
  private static String text(JsonNode node, String field, String path)
      throws InvalidPayloadException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new InvalidPayloadException(
          (path.endsWith(".") ? path : "") + field + ": expected a string");
    }
    return v.asText();
  }
}
