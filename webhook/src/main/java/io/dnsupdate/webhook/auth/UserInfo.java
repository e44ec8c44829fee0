package io.dnsupdate.webhook.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Who kube-apiserver says is calling: user name, optional UID, groups and extra attributes, as
 * carried by the request headers and passed on in SubjectAccessReviews.
 */
public record UserInfo(
    String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  /** The group whose members kube-apiserver never restricts. */
  public static final String SYSTEM_MASTERS = "system:masters";

  public UserInfo {
    Objects.requireNonNull(name, "name");
    groups = List.copyOf(groups);
    Map<String, List<String>> copy = new TreeMap<>();
    extra.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    extra = java.util.Collections.unmodifiableMap(copy);
  }

  /** True for members of system:masters. */
  public boolean isSystemMaster() {
    return groups.contains(SYSTEM_MASTERS);
  }
}
