package io.dnsupdate.webhook.server;

import io.dnsupdate.api.ApiConstants;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
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

  private static final String GV = ApiConstants.SOLVER_GROUP + "/" + ApiConstants.SOLVER_VERSION;

  private final byte[] groupList;
  private final byte[] group;
  private final byte[] resourceList;

  public Discovery() {
    GroupVersionForDiscovery version =
        new GroupVersionForDiscoveryBuilder()
            .withGroupVersion(GV)
            .withVersion(ApiConstants.SOLVER_VERSION)
            .build();
    APIGroup group =
        new APIGroupBuilder()
            .withName(ApiConstants.SOLVER_GROUP)
            .withVersions(version)
            .withPreferredVersion(version)
            .build();
    // entries of an APIGroupList carry no kind or apiVersion, as kube-apiserver writes them
    APIGroup entry = new APIGroupBuilder(group).withApiVersion(null).withKind(null).build();
    this.groupList = json(new APIGroupListBuilder().withGroups(entry).build());
    this.group = json(group);
    this.resourceList =
        json(
            new APIResourceListBuilder()
                .withGroupVersion(GV)
                .addNewResource()
                .withName(ApiConstants.SOLVER_RESOURCE)
                .withSingularName(ApiConstants.SOLVER_KIND.toLowerCase(Locale.ROOT))
                .withNamespaced(false)
                .withKind(ApiConstants.SOLVER_KIND)
                .withVerbs("create")
                .endResource()
                .build());
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

  private static byte[] json(Object document) {
    return Serialization.asJson(document).getBytes(StandardCharsets.UTF_8);
  }
}
