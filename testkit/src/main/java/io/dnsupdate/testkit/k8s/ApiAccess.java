package io.dnsupdate.testkit.k8s;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request to the API server in RBAC terms: API group, resource, verb, namespace and name.
 *
 * @param group "" for the core group
 * @param namespace null for a cluster-wide request
 * @param name null unless the request names one object (by path or metadata.name field selector)
 */
public record ApiAccess(String group, String resource, String verb, String namespace, String name) {
  private static final Pattern CORE =
      Pattern.compile("^/api/v1/(namespaces/([^/]+)/)?([a-z]+)(/([^/]+))?(/([a-z]+))?$");
  private static final Pattern GROUPED =
      Pattern.compile(
          "^/apis/([^/]+)/([^/]+)/(namespaces/([^/]+)/)?([a-z]+)(/([^/]+))?(/([a-z]+))?$");
  private static final Pattern BY_NAME = Pattern.compile("fieldSelector=metadata\\.name=([^&]+)");

  /** Classifies a recorded call as kube-apiserver's RBAC authorizer would. */
  public static ApiAccess of(MockKubernetesApi.Call call) {
    String path = call.bare();
    String query =
        URLDecoder.decode(
            call.path().contains("?") ? call.path().substring(call.path().indexOf('?')) : "",
            StandardCharsets.UTF_8);
    String group;
    String namespace;
    String resource;
    String name;
    String subresource;
    Matcher core = CORE.matcher(path);
    Matcher grouped = GROUPED.matcher(path);
    if (core.matches()) {
      group = "";
      namespace = core.group(2);
      resource = core.group(3);
      name = core.group(5);
      subresource = core.group(7);
    } else if (grouped.matches()) {
      group = grouped.group(1);
      namespace = grouped.group(4);
      resource = grouped.group(5);
      name = grouped.group(7);
      subresource = grouped.group(9);
    } else {
      throw new IllegalArgumentException("not a resource request: " + call);
    }
    // "namespaces/NAME" alone is the namespace object itself
    if ("namespaces".equals(resource) && namespace == null && name != null && subresource != null) {
      namespace = name;
      resource = subresource;
      name = null;
      subresource = null;
    }
    Matcher byName = BY_NAME.matcher(query);
    if (name == null && byName.find()) {
      name = byName.group(1);
    }
    String verb =
        switch (call.method()) {
          case "GET" ->
              path.matches(".*/" + resource + "/[^/]+(/[a-z]+)?$")
                  ? "get"
                  : query.contains("watch=true") ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> "delete";
          default -> call.method().toLowerCase(java.util.Locale.ROOT);
        };
    return new ApiAccess(
        group,
        subresource == null ? resource : resource + "/" + subresource,
        verb,
        namespace,
        name);
  }

  /** {@code group resource verb}, e.g. {@code core secrets get}. */
  public String rule() {
    return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb;
  }

  @Override
  public String toString() {
    return rule() + (namespace == null ? " (cluster-wide)" : " in " + namespace);
  }
}
