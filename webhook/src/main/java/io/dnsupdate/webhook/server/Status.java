package io.dnsupdate.webhook.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dnsupdate.api.ApiConstants;

/**
 * A Kubernetes {@code metav1.Status} error body, as an API server answers 4xx/5xx: {@code kind:
 * Status}, {@code status: Failure}, message, CamelCase reason and code.
 */
final class Status {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Status() {}

  static byte[] failure(int code, String reason, String message) {
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", message);
    s.put("reason", reason);
    s.put("code", code);
    try {
      return JSON.writeValueAsBytes(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] forbidden(String user, String why) {
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put(
        "message",
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
            + (why == null || why.isBlank() ? "" : ": " + why));
    s.put("reason", "Forbidden");
    ObjectNode details = s.putObject("details");
    details.put("group", ApiConstants.SOLVER_GROUP);
    details.put("kind", ApiConstants.SOLVER_RESOURCE);
    s.put("code", 403);
    try {
      return JSON.writeValueAsBytes(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
