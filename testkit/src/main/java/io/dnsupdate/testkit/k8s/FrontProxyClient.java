package io.dnsupdate.testkit.k8s;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Calls an aggregated API server the way kube-apiserver's proxy does: over HTTPS, presenting the
 * front-proxy client certificate ({@code --proxy-client-cert-file}) and naming the end user in
 * {@code X-Remote-User}, {@code X-Remote-Group} (one header per group) and {@code
 * X-Remote-Extra-<key>} headers. Built once per identity; thread-safe.
 */
public final class FrontProxyClient {
  /** The path cert-manager POSTs ChallengePayloads to (solver group, version, resource). */
  public static final String CHALLENGE_PATH = "/apis/acme.dnsupdate.io/v1alpha1/dnsupdate";

  /** The Accept header kube-aggregator's aggregated discovery sends first. */
  public static final String AGGREGATED_DISCOVERY_ACCEPT =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
          + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

  private final URI base;
  private final HttpClient http;
  private final String user;
  private final List<String> groups;
  private final Map<String, List<String>> extra;
  private final String uid;
  private final Duration timeout;

  private FrontProxyClient(Builder b) {
    this.base = b.base;
    this.user = b.user;
    this.groups = List.copyOf(b.groups);
    this.extra = Map.copyOf(b.extra);
    this.uid = b.uid;
    this.timeout = b.timeout;
    SSLContext ssl =
        b.clientCertificate == null
            ? b.servingCa.sslContext()
            : b.clientCertificate.sslContext(b.servingCa);
    this.http =
        HttpClient.newBuilder()
            .version(b.version)
            .sslContext(ssl)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /**
   * A client for the server at {@code baseUri} (e.g. {@code https://127.0.0.1:8443}) whose serving
   * certificate {@code servingCa} issued.
   */
  public static Builder builder(URI baseUri, TestPki servingCa) {
    return new Builder(baseUri, servingCa);
  }

  /** GET with {@code Accept: application/json}. */
  public Response get(String path) {
    return get(path, "application/json");
  }

  /** GET with the given Accept header (null: none). */
  public Response get(String path, String accept) {
    HttpRequest.Builder r = request(path).GET();
    if (accept != null) {
      r.header("Accept", accept);
    }
    return send(r);
  }

  /** POST of a JSON body, as kube-apiserver forwards cert-manager's create call. */
  public Response post(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, */*")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  /** POST of a ChallengePayload to {@link #CHALLENGE_PATH}. */
  public Response postChallenge(String json) {
    return post(CHALLENGE_PATH, json);
  }

  /** Sends a request made from {@link #request(String)} (identity headers already set). */
  public Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(r.statusCode(), r.body(), r.headers(), r.version());
    } catch (IOException e) {
      throw new UncheckedIOException("request to " + base + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A request builder for the path with this client's identity headers. */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("User-Agent", "kube-apiserver-proxy (dnsupdate testkit)");
    if (user != null) {
      r.header("X-Remote-User", user);
    }
    for (String g : groups) {
      r.header("X-Remote-Group", g);
    }
    if (uid != null) {
      r.header("X-Remote-Uid", uid);
    }
    extra.forEach(
        (k, values) -> {
          // kube-apiserver escapes extra keys like URL path segments (RFC 3986)
          String header =
              "X-Remote-Extra-" + URLEncoder.encode(k, StandardCharsets.UTF_8).replace("+", "%20");
          values.forEach(v -> r.header(header, v));
        });
    return r;
  }

  /** The base URI. */
  public URI baseUri() {
    return base;
  }

  /**
   * An answer.
   *
   * @param status HTTP status code
   * @param body the body as text
   * @param headers the response headers
   * @param version the protocol the answer came over (ALPN's choice)
   */
  public record Response(int status, String body, HttpHeaders headers, HttpClient.Version version) {
    /** The Content-Type header, or "". */
    public String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }
  }

  /** Configures the identity a {@link FrontProxyClient} asserts. */
  public static final class Builder {
    private final URI base;
    private final TestPki servingCa;
    private IssuedCertificate clientCertificate;
    private String user;
    private final List<String> groups = new ArrayList<>();
    private final Map<String, List<String>> extra = new LinkedHashMap<>();
    private String uid;
    private Duration timeout = Duration.ofSeconds(60);
    private HttpClient.Version version = HttpClient.Version.HTTP_1_1;

    private Builder(URI base, TestPki servingCa) {
      this.base = Objects.requireNonNull(base, "base");
      this.servingCa = Objects.requireNonNull(servingCa, "servingCa");
    }

    /**
     * The client certificate to present (kube-apiserver's front-proxy certificate); without one the
     * TLS handshake carries none.
     */
    public Builder clientCertificate(IssuedCertificate certificate) {
      this.clientCertificate = certificate;
      return this;
    }

    /** {@code X-Remote-User}; null sends none. */
    public Builder user(String name) {
      this.user = name;
      return this;
    }

    /** One {@code X-Remote-Group} header per group. */
    public Builder groups(String... names) {
      groups.addAll(List.of(names));
      return this;
    }

    /** {@code X-Remote-Extra-<key>} headers, one per value. */
    public Builder extra(String key, String... values) {
      extra.put(key, List.of(values));
      return this;
    }

    /** {@code X-Remote-Uid}. */
    public Builder uid(String value) {
      this.uid = value;
      return this;
    }

    /** Per-request timeout (default 60 s, kube-apiserver's). */
    public Builder timeout(Duration value) {
      this.timeout = value;
      return this;
    }

    /**
     * {@link HttpClient.Version#HTTP_2} offers h2 by ALPN first, as kube-apiserver's aggregator
     * does (default: HTTP/1.1 only).
     */
    public Builder version(HttpClient.Version value) {
      this.version = value;
      return this;
    }

    public FrontProxyClient build() {
      return new FrontProxyClient(this);
    }
  }
}
