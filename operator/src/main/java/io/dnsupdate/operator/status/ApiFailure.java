package io.dnsupdate.operator.status;

import io.dnsupdate.operator.status.Health.Progress;
import io.dnsupdate.text.LogSafe;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One of the operator's own calls to the API server that failed, and what to tell about it: the
 * call (verb, resource, namespace, name), a reason that says whether someone must act ({@link
 * Reason#progress}), and a message naming the call and what to grant or fix. Built from the
 * server's answer; the server's text is made printable ({@link LogSafe}), cut, and passed through a
 * redaction the caller supplies (the values of the Secret it was writing), so that neither an
 * admission webhook that echoes a request nor a future mistake puts key material in a status, an
 * Event or a log.
 *
 * @param reason what kind of failure; the Ready (and Stalled or Reconciling) reason
 * @param verb the API verb, as RBAC names it ({@code get}, {@code create}, {@code update}, {@code
 *     patch})
 * @param group the API group ("" for the core group)
 * @param resource the resource as RBAC names it, with a subresource ({@code secrets}, {@code
 *     tsigkeys/status})
 * @param namespace the namespace of the call
 * @param name the object's name, or null for a create without one
 * @param code the HTTP status, or 0 when no answer came (timeout, connection failure)
 * @param detail what the server said, printable, cut, redacted; may be empty
 */
public record ApiFailure(
    Reason reason,
    String verb,
    String group,
    String resource,
    String namespace,
    String name,
    int code,
    String detail) {

  /** Longest server text kept in a message. */
  static final int MAX_DETAIL = 300;

  /** The kinds of failure, each with its Event reason and what kstatus should make of it. */
  public enum Reason {
    /**
     * HTTP 401/403: the operator may not make the call (RBAC, or an admission policy that denies
     * it). Stalled until someone grants it.
     */
    ApiForbidden(EventReason.ApiForbidden, Progress.STALLED),
    /**
     * HTTP 400, 413 or 422: the API server (or an admission webhook) refused the request as
     * invalid. Stalled until someone fixes what the message names.
     */
    ApiRejected(EventReason.ApiRejected, Progress.STALLED),
    /**
     * HTTP 409 (or 404/410 on an object read a moment before) on several attempts in a row:
     * something else keeps changing the object. Retried with backoff.
     */
    ApiConflict(EventReason.ApiConflict, Progress.RECONCILING),
    /**
     * HTTP 5xx or 429, a timeout, or no connection: the API server (or an admission webhook it
     * calls) failed. Retried with backoff.
     */
    ApiUnavailable(EventReason.ApiUnavailable, Progress.RECONCILING);

    private final EventReason event;
    private final Progress progress;

    Reason(EventReason event, Progress progress) {
      this.event = event;
      this.progress = progress;
    }

    /** The Event reason that tells this failure. */
    public EventReason event() {
      return event;
    }

    /** Stalled when a person must act, Reconciling when retrying may be enough. */
    public Progress progress() {
      return progress;
    }
  }

  public ApiFailure {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(verb, "verb");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(resource, "resource");
    detail = Objects.requireNonNullElse(detail, "");
  }

  /**
   * The failure of {@code verb} on {@code resource} that {@code e} reports.
   *
   * @param redact removes secret values from the server's text (applied before anything is kept)
   */
  public static ApiFailure of(
      String verb,
      String group,
      String resource,
      String namespace,
      String name,
      KubernetesClientException e,
      UnaryOperator<String> redact) {
    int code = Math.max(e.getCode(), 0);
    return new ApiFailure(
        classify(code), verb, group, resource, namespace, name, code, detail(e, redact));
  }

  /** The reason for an HTTP status (0: no answer). */
  public static Reason classify(int code) {
    return switch (code) {
      case HttpURLConnection.HTTP_UNAUTHORIZED, HttpURLConnection.HTTP_FORBIDDEN ->
          Reason.ApiForbidden;
      case HttpURLConnection.HTTP_BAD_REQUEST, HttpURLConnection.HTTP_ENTITY_TOO_LARGE, 422 ->
          Reason.ApiRejected;
      case HttpURLConnection.HTTP_CONFLICT,
              HttpURLConnection.HTTP_NOT_FOUND,
              HttpURLConnection.HTTP_GONE ->
          Reason.ApiConflict;
      default -> Reason.ApiUnavailable;
    };
  }

  /** True when the failed call was the write of a status (nothing can be reported in it). */
  public boolean statusWrite() {
    return resource.endsWith("/status");
  }

  /**
   * {@code verb resource 'name' in namespace 'ns': what happened (HTTP code): server text. What to
   * do.} Every part is printable; names are those of the resources the operator was reconciling.
   */
  public String message() {
    StringBuilder m = new StringBuilder(call()).append(": ");
    m.append(
        switch (reason) {
          case ApiForbidden ->
              code == HttpURLConnection.HTTP_UNAUTHORIZED ? "unauthorized" : "forbidden";
          case ApiRejected -> "rejected as invalid";
          case ApiConflict ->
              code == HttpURLConnection.HTTP_CONFLICT ? "conflict" : "the object went away";
          case ApiUnavailable ->
              code == 0 ? "no answer from the API server" : "the API server failed";
        });
    if (code != 0) {
      m.append(" (HTTP ").append(code).append(')');
    }
    if (!detail.isEmpty()) {
      m.append(": ").append(detail);
    }
    m.append(". ").append(advice());
    return SafeMessages.truncate(m.toString());
  }

  /** {@code create secrets 'web-tsig' in namespace 'team-a'}. */
  public String call() {
    return verb
        + " "
        + resource
        + (name == null ? "" : " '" + LogSafe.inMessage(name) + "'")
        + (namespace == null ? "" : " in namespace '" + LogSafe.inMessage(namespace) + "'");
  }

  private String advice() {
    String where = namespace == null ? "" : " in namespace '" + LogSafe.inMessage(namespace) + "'";
    String apiGroup = group.isEmpty() ? "the core API group" : "API group " + group;
    return switch (reason) {
      case ApiForbidden ->
          code == HttpURLConnection.HTTP_UNAUTHORIZED
              ? "The API server did not accept the operator's credentials: check its"
                  + " ServiceAccount and token"
              : "Grant the operator's ServiceAccount '"
                  + verb
                  + "' on "
                  + resource
                  + " ("
                  + apiGroup
                  + ")"
                  + where
                  + ": the chart's operator ClusterRole has it, bound cluster-wide or, with"
                  + " operator.watchNamespaces, in each namespace listed there; an admission"
                  + " policy may deny it too";
      case ApiRejected ->
          "Fix what the API server names; an admission webhook or policy on "
              + resource
              + " may refuse the operator's writes";
      case ApiConflict ->
          "Something else keeps changing it; the operator retries with backoff (its"
              + " managedFields name the other writer)";
      case ApiUnavailable ->
          "The operator retries with backoff; a failing admission webhook on "
              + resource
              + " answers like this too";
    };
  }

  private static String detail(KubernetesClientException e, UnaryOperator<String> redact) {
    Status status = e.getStatus();
    String text = status == null ? null : status.getMessage();
    if ((text == null || text.isBlank()) && e.getCode() <= 0) {
      // no answer: the exception's class says timeout or I/O; its message may quote a URL only
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      text = root.getClass().getSimpleName();
    }
    if (text == null || text.isBlank()) {
      return "";
    }
    String safe = LogSafe.printable(redact.apply(text.strip()));
    return safe.length() <= MAX_DETAIL ? safe : safe.substring(0, MAX_DETAIL - 3) + "...";
  }
}
