package io.dnsupdate.webhook.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dnsupdate.text.LogSafe;
import io.dnsupdate.webhook.server.PemFiles;
import java.nio.charset.StandardCharsets;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * kube-apiserver's front-proxy settings as published in ConfigMap {@code
 * kube-system/extension-apiserver-authentication}: the CA that signs its proxy client certificate,
 * the CNs allowed to assert identities, and the header names that carry them. List values are JSON
 * arrays of strings, as kube-apiserver writes them.
 */
public final class RequestHeaderConfig {
  public static final String CLIENT_CA = "requestheader-client-ca-file";
  public static final String ALLOWED_NAMES = "requestheader-allowed-names";
  public static final String USERNAME_HEADERS = "requestheader-username-headers";
  public static final String GROUP_HEADERS = "requestheader-group-headers";
  public static final String EXTRA_PREFIXES = "requestheader-extra-headers-prefix";
  public static final String UID_HEADERS = "requestheader-uid-headers";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<X509Certificate> caCertificates;
  private final Set<TrustAnchor> trustAnchors;
  private final Set<String> allowedNames;
  private final List<String> usernameHeaders;
  private final List<String> groupHeaders;
  private final List<String> extraHeaderPrefixes;
  private final List<String> uidHeaders;

  public RequestHeaderConfig(
      List<X509Certificate> caCertificates,
      Set<String> allowedNames,
      List<String> usernameHeaders,
      List<String> groupHeaders,
      List<String> extraHeaderPrefixes,
      List<String> uidHeaders) {
    this.caCertificates = List.copyOf(caCertificates);
    this.trustAnchors =
        caCertificates.stream()
            .map(c -> new TrustAnchor(c, null))
            .collect(Collectors.toUnmodifiableSet());
    this.allowedNames = Set.copyOf(allowedNames);
    this.usernameHeaders = List.copyOf(usernameHeaders);
    this.groupHeaders = List.copyOf(groupHeaders);
    this.extraHeaderPrefixes = List.copyOf(extraHeaderPrefixes);
    this.uidHeaders = List.copyOf(uidHeaders);
  }

  /**
   * Reads the ConfigMap's data.
   *
   * @throws IllegalArgumentException naming the key that is missing or unreadable
   */
  public static RequestHeaderConfig fromConfigMapData(Map<String, String> data) {
    Map<String, String> d = data == null ? Map.of() : data;
    String ca = d.get(CLIENT_CA);
    if (ca == null || ca.isBlank()) {
      throw new IllegalArgumentException(
          "'"
              + CLIENT_CA
              + "' is missing: kube-apiserver runs without --requestheader-client-ca-file, so it"
              + " cannot prove the identities it forwards (configure the aggregation layer)");
    }
    List<X509Certificate> certs;
    try {
      certs = PemFiles.certificates(ca.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + CLIENT_CA + "': " + e.getMessage(), e);
    }
    List<String> usernames = list(d, USERNAME_HEADERS);
    if (usernames.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + USERNAME_HEADERS + "' is empty: no header would carry the user name");
    }
    return new RequestHeaderConfig(
        certs,
        new LinkedHashSet<>(list(d, ALLOWED_NAMES)),
        usernames,
        list(d, GROUP_HEADERS),
        list(d, EXTRA_PREFIXES),
        list(d, UID_HEADERS));
  }

  private static List<String> list(Map<String, String> data, String key) {
    String v = data.get(key);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    JsonNode node;
    try {
      node = JSON.readTree(v);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("'" + key + "' is not a JSON array of strings");
    }
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException("'" + key + "' is not a JSON array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : node) {
      if (!e.isTextual()) {
        throw new IllegalArgumentException("'" + key + "' is not a JSON array of strings");
      }
      if (!e.asText().isBlank()) {
        out.add(e.asText().strip());
      }
    }
    return List.copyOf(out);
  }

  public List<X509Certificate> caCertificates() {
    return caCertificates;
  }

  Set<TrustAnchor> trustAnchors() {
    return trustAnchors;
  }

  /** CNs allowed to assert identities; empty means any certificate the CA signed. */
  public Set<String> allowedNames() {
    return allowedNames;
  }

  public List<String> usernameHeaders() {
    return usernameHeaders;
  }

  public List<String> groupHeaders() {
    return groupHeaders;
  }

  public List<String> extraHeaderPrefixes() {
    return extraHeaderPrefixes;
  }

  public List<String> uidHeaders() {
    return uidHeaders;
  }

  @Override
  public String toString() {
    return "RequestHeaderConfig[ca="
        + caCertificates.stream()
            .map(c -> LogSafe.of(c.getSubjectX500Principal().getName()))
            .collect(Collectors.joining("; "))
        + ", allowedNames="
        + LogSafe.of(List.copyOf(allowedNames))
        + ", usernameHeaders="
        + LogSafe.of(usernameHeaders)
        + ", groupHeaders="
        + LogSafe.of(groupHeaders)
        + ", extraHeaderPrefixes="
        + LogSafe.of(extraHeaderPrefixes)
        + ", uidHeaders="
        + LogSafe.of(uidHeaders)
        + "]";
  }
}
