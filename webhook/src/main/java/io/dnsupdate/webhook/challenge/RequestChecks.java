package io.dnsupdate.webhook.challenge;

import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.text.LogSafe;
import java.util.regex.Pattern;

/**
 * The checks a request passes before anything is looked up: a dns-01 challenge, a namespace name,
 * and a solver config naming an issuer. The config may not point at another namespace, so one
 * namespace can never use another's keys.
 */
final class RequestChecks {
  private static final Pattern OBJECT_NAME = Pattern.compile(ApiConstants.OBJECT_NAME_PATTERN);
  private static final Pattern NAMESPACE = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  private RequestChecks() {}

  /** The challenge's namespace, once the request is known to be a dns-01 challenge. */
  static String namespace(ChallengeRequest r) throws SolverFailure {
    if (!r.type().isEmpty() && !"dns-01".equals(r.type())) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.type '" + r.type() + "' is not supported: this webhook solves dns-01 only");
    }
    String namespace = r.resourceNamespace().strip();
    if (namespace.isEmpty()) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.resourceNamespace is empty: cannot tell which namespace's DnsUpdateIssuer to"
              + " use");
    }
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.resourceNamespace '" + LogSafe.of(namespace) + "' is not a namespace name");
    }
    return namespace;
  }

  /** The DnsUpdateIssuer named by the solver config, to be looked up in {@code namespace}. */
  static String issuerName(JsonNode config, String namespace) throws SolverFailure {
    String how =
        "set config: {issuer: NAME} in the Issuer's dns01.webhook solver (groupName "
            + ApiConstants.SOLVER_GROUP
            + ", solverName "
            + ApiConstants.SOLVER_NAME
            + "), NAME being a DnsUpdateIssuer in namespace "
            + namespace;
    if (config == null) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound, "the solver config is empty: " + how);
    }
    if (!config.isObject()) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound, "the solver config is not an object: " + how);
    }
    JsonNode ns = config.get("namespace");
    if (ns != null && !ns.isNull() && !namespace.equals(ns.asText())) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound,
          "config.namespace is not supported: a DnsUpdateIssuer is only looked up in the"
              + " challenge's namespace ("
              + namespace
              + "), so one namespace cannot use another's keys");
    }
    JsonNode issuer = config.get("issuer");
    if (issuer == null || !issuer.isTextual() || issuer.asText().isBlank()) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound, "the solver config names no issuer: " + how);
    }
    String name = issuer.asText().strip();
    if (name.length() > 253 || !OBJECT_NAME.matcher(name).matches()) {
      throw new SolverFailure(
          SolverFailure.Reason.IssuerNotFound,
          "config.issuer '"
              + LogSafe.of(name)
              + "' is not a DnsUpdateIssuer name (lower-case letters, digits, '-' and '.'; the"
              + " issuer is looked up in namespace "
              + namespace
              + " only)");
    }
    return name;
  }
}
