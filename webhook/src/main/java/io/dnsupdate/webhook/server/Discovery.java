package io.dnsupdate.webhook.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dnsupdate.api.ApiConstants;
import java.util.Locale;

/**
 * The legacy discovery documents of the solver API, which kube-apiserver reads to route {@code
 * /apis/acme.dnsupdate.io/v1alpha1} to us and probes to mark the APIService available. Aggregated
 * discovery ({@code as=APIGroupDiscoveryList}) is not served: kube-apiserver falls back to these
 * after a 406.
 */
public final class Discovery {
  public static final String APIS = "/apis";
  public static final String GROUP = APIS + "/" + ApiConstants.SOLVER_GROUP;
  public static final String GROUP_VERSION = GROUP + "/" + ApiConstants.SOLVER_VERSION;
  public static final String CHALLENGE = GROUP_VERSION + "/" + ApiConstants.SOLVER_RESOURCE;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GV = ApiConstants.SOLVER_GROUP + "/" + ApiConstants.SOLVER_VERSION;

  private final byte[] groupList;
  private final byte[] group;
  private final byte[] resourceList;

  public Discovery() {
    ObjectNode list = JSON.createObjectNode();
    list.put("kind", "APIGroupList");
    list.put("apiVersion", "v1");
    list.putArray("groups").add(groupBody(JSON.createObjectNode()));
    this.groupList = bytes(list);

    ObjectNode g = JSON.createObjectNode();
    g.put("kind", "APIGroup");
    g.put("apiVersion", "v1");
    this.group = bytes(groupBody(g));

    ObjectNode resources = JSON.createObjectNode();
    resources.put("kind", "APIResourceList");
    resources.put("apiVersion", "v1");
    resources.put("groupVersion", GV);
    ObjectNode r = resources.putArray("resources").addObject();
    r.put("name", ApiConstants.SOLVER_RESOURCE);
    r.put("singularName", ApiConstants.SOLVER_KIND.toLowerCase(Locale.ROOT));
    r.put("namespaced", false);
    r.put("kind", ApiConstants.SOLVER_KIND);
    r.putArray("verbs").add("create");
    this.resourceList = bytes(resources);
  }

  private static ObjectNode groupBody(ObjectNode g) {
    g.put("name", ApiConstants.SOLVER_GROUP);
    ArrayNode versions = g.putArray("versions");
    versions.add(version());
    g.set("preferredVersion", version());
    return g;
  }

  private static ObjectNode version() {
    ObjectNode v = JSON.createObjectNode();
    v.put("groupVersion", GV);
    v.put("version", ApiConstants.SOLVER_VERSION);
    return v;
  }

  /** The document at a path, or null when the path is not a discovery path. */
  public byte[] document(String path) {
    return switch (path) {
      case APIS -> groupList.clone();
      case GROUP -> group.clone();
      case GROUP_VERSION -> resourceList.clone();
      default -> null;
    };
  }

  /**
   * True when the Accept header allows a plain JSON document: absent, or one media range of
   * application/json, application/* or *&#47;* without the {@code as}/{@code g}/{@code v}
   * parameters that ask for another kind of object (aggregated discovery, tables).
   */
  public static boolean acceptsLegacyJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].strip().toLowerCase(Locale.ROOT);
      if (!type.equals("application/json")
          && !type.equals("application/*")
          && !type.equals("*/*")) {
        continue;
      }
      boolean other = false;
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].strip().split("=", 2);
        String name = kv[0].strip().toLowerCase(Locale.ROOT);
        String value = kv.length > 1 ? kv[1].strip() : "";
        if (name.equals("as") || name.equals("g") || name.equals("v")) {
          other = true;
        }
        if (name.equals("q") && value.matches("0(\\.0*)?")) {
          refused = true;
        }
      }
      if (!other && !refused) {
        return true;
      }
    }
    return false;
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
