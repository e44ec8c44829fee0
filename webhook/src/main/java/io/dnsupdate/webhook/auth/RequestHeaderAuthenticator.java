package io.dnsupdate.webhook.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.cache.Caches;
import io.dnsupdate.text.LogSafe;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Authenticates kube-apiserver's proxied requests the way Kubernetes' request-header authenticator
 * does: identity headers count only when the TLS client certificate chains (PKIX, client-auth
 * usage) to the current request-header CA and its CN is allowed. Everything else is
 * unauthenticated, whatever headers it carries.
 */
public final class RequestHeaderAuthenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  /** Chains verified lately, kept at most this long (a CA reload is another key at once). */
  static final Duration VERIFIED_FOR = Duration.ofMinutes(5);

  /**
   * A chain verified against one request-header configuration. The config is compared by identity:
   * each reload is a new object.
   */
  private record Verified(RequestHeaderConfig config, List<X509Certificate> chain) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Verified v && v.config == config && v.chain.equals(chain);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(config) * 31 + chain.hashCode();
    }
  }

  private final Supplier<RequestHeaderConfig> config;
  private final Supplier<String> configProblem;
  private final Clock clock;

  /**
   * Chains that verified, with the end of the shortest validity among them. kube-apiserver sends
   * the same front-proxy chain on every request; a PKIX validation each time was an eighth of the
   * webhook's CPU under 1,000 concurrent challenges. Only successes are kept, so a client with
   * certificates of its own cannot push out the front proxy's entry for long (and each miss is the
   * validation it would have been anyway).
   */
  private final Cache<Verified, Trusted> verified;

  /**
   * A verified chain's shortest validity end and its leaf's CN: parsing the subject's DN per
   * request was ~1.5% of a challenge's CPU (JFR, WebhookBenchmark).
   */
  private record Trusted(Instant validUntil, String commonName) {}

  /**
   * @param config the current settings, null while unknown
   * @param configProblem why there are no settings (shown in 503 answers)
   */
  public RequestHeaderAuthenticator(
      Supplier<RequestHeaderConfig> config, Supplier<String> configProblem, Clock clock) {
    this.config = config;
    this.configProblem = configProblem;
    this.clock = clock == null ? Clock.systemUTC() : clock;
    this.verified =
        Caffeine.newBuilder()
            .maximumSize(64)
            .expireAfterWrite(VERIFIED_FOR)
            .ticker(Caches.ticker(this.clock))
            .build();
  }

  /**
   * Authenticates a request.
   *
   * @param peerChain the TLS client's certificates, leaf first (empty when it sent none)
   * @param headers the request headers (names compared without regard to case)
   */
  public Authentication authenticate(
      List<X509Certificate> peerChain, Map<String, List<String>> headers) {
    RequestHeaderConfig c = config.get();
    if (c == null) {
      return new Authentication.Unavailable(
          "request-header authentication is not configured yet: " + configProblem.get());
    }
    if (peerChain == null || peerChain.isEmpty()) {
      return new Authentication.Unauthenticated(
          "no client certificate: requests must come through kube-apiserver, which presents its"
              + " front-proxy client certificate");
    }
    Verified chain = new Verified(c, List.copyOf(peerChain));
    Trusted trusted = verified.getIfPresent(chain);
    String rawCn;
    if (trusted != null && clock.instant().isBefore(trusted.validUntil())) {
      // verified before, at a time no earlier than any notBefore, and not yet expired
      rawCn = trusted.commonName();
    } else {
      rawCn = commonName(peerChain.get(0));
      String problem = validate(c, peerChain);
      if (problem != null) {
        // the CN comes from whoever connected: it reaches the 401 log line, so only its safe form
        return new Authentication.Unauthenticated(
            "client certificate CN=\""
                + LogSafe.of(rawCn)
                + "\" is not a front-proxy certificate of this cluster: "
                + problem);
      }
      Instant end =
          peerChain.stream()
              .map(x -> x.getNotAfter().toInstant())
              .min(Instant::compareTo)
              .orElse(clock.instant());
      verified.put(chain, new Trusted(end, rawCn));
    }
    if (!c.allowedNames().isEmpty() && (rawCn == null || !c.allowedNames().contains(rawCn))) {
      return new Authentication.Unauthenticated(
          "client certificate CN=\""
              + LogSafe.of(rawCn)
              + "\" is not in requestheader-allowed-names "
              + c.allowedNames());
    }
    Map<String, List<String>> lower = lowerCaseNames(headers);
    String user = null;
    for (String h : c.usernameHeaders()) {
      user = first(lower.get(h.toLowerCase(Locale.ROOT)));
      if (user != null) {
        break;
      }
    }
    if (user == null) {
      return new Authentication.Unauthenticated(
          "the front-proxy request names no user (" + String.join(", ", c.usernameHeaders()) + ")");
    }
    String uid = null;
    for (String h : c.uidHeaders()) {
      uid = first(lower.get(h.toLowerCase(Locale.ROOT)));
      if (uid != null) {
        break;
      }
    }
    List<String> groups = new ArrayList<>();
    for (String h : c.groupHeaders()) {
      for (String v : lower.getOrDefault(h.toLowerCase(Locale.ROOT), List.of())) {
        if (!v.isEmpty()) {
          groups.add(v);
        }
      }
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (String prefix : c.extraHeaderPrefixes()) {
      String p = prefix.toLowerCase(Locale.ROOT);
      lower.forEach(
          (name, values) -> {
            if (name.startsWith(p) && name.length() > p.length()) {
              String key = unescape(name.substring(p.length())).toLowerCase(Locale.ROOT);
              extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(values);
            }
          });
    }
    return new Authentication.Authenticated(new UserInfo(user, uid, groups, extra));
  }

  /** Null when the chain is trusted for client authentication now, else why not. */
  private String validate(RequestHeaderConfig c, List<X509Certificate> chain) {
    X509Certificate leaf = chain.get(0);
    try {
      List<String> usages = leaf.getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
        return "it is not valid for client authentication (extended key usage " + usages + ")";
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return "its extended key usage cannot be read";
    }
    // the path excludes the anchors themselves, which some clients send along
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate cert : chain) {
      if (!c.caCertificates().contains(cert)) {
        path.add(cert);
      }
    }
    if (path.isEmpty()) {
      return "it is the CA certificate itself";
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(c.trustAnchors());
      params.setRevocationEnabled(false);
      params.setDate(Date.from(clock.instant()));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
      return null;
    } catch (GeneralSecurityException e) {
      return "it does not chain to requestheader-client-ca-file (" + e.getMessage() + ")";
    }
  }

  /** The certificate's CN, or null. */
  static String commonName(X509Certificate cert) {
    try {
      LdapName dn = new LdapName(cert.getSubjectX500Principal().getName());
      for (Rdn rdn : dn.getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return String.valueOf(rdn.getValue());
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static Map<String, List<String>> lowerCaseNames(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (headers != null) {
      headers.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              out.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v);
            }
          });
    }
    return out;
  }

  private static String first(List<String> values) {
    if (values == null) {
      return null;
    }
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }

  /** kube-apiserver escapes extra keys like URL path segments. */
  private static String unescape(String key) {
    try {
      return URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return key;
    }
  }
}
