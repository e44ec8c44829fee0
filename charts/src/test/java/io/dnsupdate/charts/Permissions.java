package io.dnsupdate.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * RBAC flattened to single (apiGroup, resource, verb, namespace) grants, so that what the chart
 * grants and what required-permissions.yaml asks for compare as plain sets.
 */
final class Permissions {
  /** The namespace value of a cluster-wide grant. */
  static final String CLUSTER = "<cluster>";

  private Permissions() {}

  /** One verb on one resource in one namespace (or {@link #CLUSTER}). */
  record Grant(String apiGroup, String resource, String verb, String namespace, String names)
      implements Comparable<Grant> {
    @Override
    public int compareTo(Grant o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      String group = apiGroup.isEmpty() ? "core" : apiGroup;
      String where = CLUSTER.equals(namespace) ? "cluster-wide" : "in " + namespace;
      String only = names.isEmpty() ? "" : " names " + names;
      return verb + " " + group + "/" + resource + only + " " + where;
    }
  }

  /** A role that Kubernetes defines, bound in a namespace (or {@link #CLUSTER}). */
  record BuiltinRole(String kind, String name, String namespace)
      implements Comparable<BuiltinRole> {
    @Override
    public int compareTo(BuiltinRole o) {
      return toString().compareTo(o.toString());
    }
  }

  /** What one subject holds: grants from the chart's roles plus built-in roles bound to it. */
  record Holdings(Set<Grant> grants, Set<BuiltinRole> builtinRoles) {}

  /** The parsed required-permissions.yaml test resource. */
  static JsonNode required() {
    try (InputStream in = Permissions.class.getResourceAsStream("/required-permissions.yaml")) {
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The required holdings of one subject, with scopes resolved against the chart's values. */
  static Holdings requiredFor(String subject, JsonNode values) {
    JsonNode spec = required().path("subjects").path(subject);
    if (spec.isMissingNode()) {
      throw new IllegalArgumentException("no subject " + subject + " in required-permissions.yaml");
    }
    Set<Grant> grants = new TreeSet<>();
    for (JsonNode entry : spec.path("permissions")) {
      for (String namespace : scope(entry.path("scope").asText(), values)) {
        for (JsonNode verb : entry.path("verbs")) {
          grants.add(
              new Grant(
                  entry.path("apiGroup").asText(),
                  entry.path("resource").asText(),
                  verb.asText(),
                  namespace,
                  ""));
        }
      }
    }
    Set<BuiltinRole> builtins = new TreeSet<>();
    for (JsonNode entry : spec.path("builtinRoles")) {
      for (String namespace : scope(entry.path("scope").asText(), values)) {
        builtins.add(
            new BuiltinRole(entry.path("kind").asText(), entry.path("name").asText(), namespace));
      }
    }
    return new Holdings(grants, builtins);
  }

  /** The required rules of one aggregated ClusterRole (view, edit, admin). */
  static Set<Grant> requiredAggregated(String role) {
    Set<Grant> grants = new TreeSet<>();
    for (JsonNode entry : required().path("aggregated").path(role)) {
      for (JsonNode verb : entry.path("verbs")) {
        grants.add(
            new Grant(
                entry.path("apiGroup").asText(),
                entry.path("resource").asText(),
                verb.asText(),
                CLUSTER,
                ""));
      }
    }
    return grants;
  }

  private static List<String> scope(String scope, JsonNode values) {
    switch (scope) {
      case "cluster":
        return List.of(CLUSTER);
      case "release":
        return List.of(RenderedChart.NAMESPACE);
      case "watched":
        List<String> watched = new ArrayList<>();
        values.path("operator").path("watchNamespaces").forEach(n -> watched.add(n.asText()));
        return watched.isEmpty() ? List.of(CLUSTER) : watched;
      default:
        return List.of(scope);
    }
  }

  /** Everything the rendered chart grants to the ServiceAccount namespace/name. */
  static Holdings grantedTo(RenderedChart chart, String namespace, String name) {
    Set<Grant> grants = new TreeSet<>();
    Set<BuiltinRole> builtins = new TreeSet<>();
    for (ClusterRoleBinding binding : chart.ofType(ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), namespace, name)) {
        collect(chart, binding.getRoleRef(), CLUSTER, grants, builtins);
      }
    }
    for (RoleBinding binding : chart.ofType(RoleBinding.class)) {
      if (binds(binding.getSubjects(), namespace, name)) {
        collect(
            chart, binding.getRoleRef(), binding.getMetadata().getNamespace(), grants, builtins);
      }
    }
    return new Holdings(grants, builtins);
  }

  private static boolean binds(List<Subject> subjects, String namespace, String name) {
    return subjects.stream()
        .anyMatch(
            s ->
                "ServiceAccount".equals(s.getKind())
                    && name.equals(s.getName())
                    && namespace.equals(s.getNamespace()));
  }

  private static void collect(
      RenderedChart chart,
      RoleRef ref,
      String namespace,
      Set<Grant> grants,
      Set<BuiltinRole> builtins) {
    List<PolicyRule> rules = null;
    if ("ClusterRole".equals(ref.getKind())) {
      rules =
          chart.ofType(ClusterRole.class).stream()
              .filter(r -> ref.getName().equals(r.getMetadata().getName()))
              .findFirst()
              .map(ClusterRole::getRules)
              .orElse(null);
    } else if ("Role".equals(ref.getKind())) {
      rules =
          chart.ofType(Role.class).stream()
              .filter(r -> ref.getName().equals(r.getMetadata().getName()))
              .filter(r -> namespace.equals(r.getMetadata().getNamespace()))
              .findFirst()
              .map(Role::getRules)
              .orElse(null);
    }
    if (rules == null) {
      builtins.add(new BuiltinRole(ref.getKind(), ref.getName(), namespace));
    } else {
      grants.addAll(flatten(rules, namespace));
    }
  }

  /** One Grant per (group, resource, verb) of the rules; non-resource URLs are refused. */
  static Set<Grant> flatten(List<PolicyRule> rules, String namespace) {
    Set<Grant> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
        throw new AssertionError("non-resource URLs granted: " + rule.getNonResourceURLs());
      }
      String names =
          rule.getResourceNames() == null ? "" : String.join(",", rule.getResourceNames());
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(new Grant(group, resource, verb, namespace, names));
          }
        }
      }
    }
    return grants;
  }

  /** Every rule of every Role and ClusterRole the chart renders. */
  static List<PolicyRule> allRules(RenderedChart chart) {
    List<PolicyRule> rules = new ArrayList<>();
    chart.ofType(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    chart.ofType(Role.class).forEach(r -> rules.addAll(r.getRules()));
    return rules;
  }

  static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }
}
