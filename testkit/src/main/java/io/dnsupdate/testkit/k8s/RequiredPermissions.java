package io.dnsupdate.testkit.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dnsupdate.testkit.RepositoryFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The chart's {@code required-permissions.yaml}: what each component is granted. Tests record the
 * calls the real components make against the mock API server and check each one here, so code and
 * RBAC cannot drift apart.
 */
public final class RequiredPermissions {
  private final JsonNode subjects;

  private RequiredPermissions(JsonNode subjects) {
    this.subjects = subjects;
  }

  /** The file in the repository, found upwards from the working directory. */
  public static RequiredPermissions load() {
    return load(RepositoryFiles.find("charts/src/test/resources/required-permissions.yaml"));
  }

  public static RequiredPermissions load(Path file) {
    try {
      return new RequiredPermissions(
          new ObjectMapper(new YAMLFactory()).readTree(file.toFile()).get("subjects"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether {@code subject} (operator, webhook, cert-manager) may make the call: its own grants,
   * the built-in roles the chart binds to it, and what every authenticated user may do.
   */
  public boolean grants(String subject, ApiAccess a) {
    JsonNode s = subjects.get(subject);
    if (s == null) {
      throw new IllegalArgumentException("no subject " + subject);
    }
    for (JsonNode p : s.get("permissions")) {
      if (p.get("apiGroup").asText().equals(a.group())
          && p.get("resource").asText().equals(a.resource())) {
        for (JsonNode v : p.get("verbs")) {
          if (v.asText().equals(a.verb())) {
            return true;
          }
        }
      }
    }
    for (JsonNode role : s.path("builtinRoles")) {
      if (builtinGrants(role.get("name").asText(), a)) {
        return true;
      }
    }
    // system:basic-user, bound to every authenticated user: self reviews
    return a.group().equals("authorization.k8s.io")
        && Set.of("selfsubjectrulesreviews", "selfsubjectaccessreviews").contains(a.resource())
        && a.verb().equals("create");
  }

  private static boolean builtinGrants(String role, ApiAccess a) {
    return switch (role) {
      case "system:auth-delegator" ->
          a.verb().equals("create")
              && ((a.group().equals("authorization.k8s.io")
                      && a.resource().equals("subjectaccessreviews"))
                  || (a.group().equals("authentication.k8s.io")
                      && a.resource().equals("tokenreviews")));
      case "extension-apiserver-authentication-reader" ->
          a.group().isEmpty()
              && a.resource().equals("configmaps")
              && "kube-system".equals(a.namespace())
              && "extension-apiserver-authentication".equals(a.name())
              && Set.of("get", "list", "watch").contains(a.verb());
      default -> false;
    };
  }
}
