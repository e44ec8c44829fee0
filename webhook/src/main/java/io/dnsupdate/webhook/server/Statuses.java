package io.dnsupdate.webhook.server;

import io.dnsupdate.api.ApiConstants;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;

/**
 * Kubernetes {@code metav1.Status} error bodies, as an API server answers 4xx/5xx: {@code kind:
 * Status}, {@code status: Failure}, message, CamelCase reason and code.
 */
final class Statuses {
  private Statuses() {}

  static byte[] failure(int code, String reason, String message) {
    return json(failed(code, reason, message).build());
  }

  /**
   * A 429 or 503 as kube-apiserver writes it: {@code details.retryAfterSeconds} says when to try
   * again (the {@code Retry-After} header says the same).
   */
  static byte[] retryLater(int code, String reason, String message, int retryAfterSeconds) {
    return json(
        failed(code, reason, message)
            .withNewDetails()
            .withRetryAfterSeconds(retryAfterSeconds)
            .endDetails()
            .build());
  }

  /** The CamelCase {@code metav1.StatusReason} Kubernetes uses for an HTTP status. */
  static String reasonFor(int code) {
    return switch (code) {
      case 400, 414, 431, 505 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 406 -> "NotAcceptable";
      case 408, 504 -> "Timeout";
      case 409 -> "Conflict";
      case 413 -> "RequestEntityTooLarge";
      case 415 -> "UnsupportedMediaType";
      case 429 -> "TooManyRequests";
      case 503 -> "ServiceUnavailable";
      default -> code >= 500 ? "InternalError" : "BadRequest";
    };
  }

  /** What kube-apiserver answers when RBAC refuses {@code create} on the solver resource. */
  static byte[] forbidden(String user, String why) {
    String message =
        ApiConstants.SOLVER_RESOURCE
            + "."
            + ApiConstants.SOLVER_GROUP
            + " is forbidden: User \""
            + user
            + "\" cannot create resource \""
            + ApiConstants.SOLVER_RESOURCE
            + "\" in API group \""
            + ApiConstants.SOLVER_GROUP
            + "\" at the cluster scope"
            + (why == null || why.isBlank() ? "" : ": " + why);
    return json(
        failed(403, "Forbidden", message)
            .withNewDetails()
            .withGroup(ApiConstants.SOLVER_GROUP)
            .withKind(ApiConstants.SOLVER_RESOURCE)
            .endDetails()
            .build());
  }

  private static StatusBuilder failed(int code, String reason, String message) {
    return new StatusBuilder()
        .withMetadata(new ListMeta())
        .withStatus("Failure")
        .withMessage(message)
        .withReason(reason)
        .withCode(code);
  }

  private static byte[] json(Status status) {
    return Serialization.asJson(status).getBytes(StandardCharsets.UTF_8);
  }
}
