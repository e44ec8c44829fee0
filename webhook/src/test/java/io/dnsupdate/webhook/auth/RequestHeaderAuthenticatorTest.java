package io.dnsupdate.webhook.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.IssuedCertificate;
import io.dnsupdate.testkit.MutableClock;
import io.dnsupdate.testkit.TestPki;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Identity headers count only behind a front-proxy certificate of the configured CA. */
class RequestHeaderAuthenticatorTest {
  private static final TestPki CA = TestPki.newCa("front-proxy-ca");
  private static final IssuedCertificate PROXY = CA.issueClient("front-proxy-client");

  private static RequestHeaderConfig config(Set<String> allowedNames) {
    return new RequestHeaderConfig(
        List.of(CA.certificate()),
        allowedNames,
        List.of("X-Remote-User"),
        List.of("X-Remote-Group"),
        List.of("X-Remote-Extra-"),
        List.of("X-Remote-Uid"));
  }

  private static RequestHeaderAuthenticator authenticator(RequestHeaderConfig c, Clock clock) {
    return new RequestHeaderAuthenticator(() -> c, () -> "not configured", clock);
  }

  private static Map<String, List<String>> headers() {
    Map<String, List<String>> h = new LinkedHashMap<>();
    // JDK's HttpServer normalizes names like this
    h.put("X-remote-user", List.of("system:serviceaccount:cert-manager:cert-manager"));
    h.put("X-remote-group", List.of("system:serviceaccounts", "system:authenticated"));
    h.put("X-remote-uid", List.of("0b1c"));
    h.put("X-remote-extra-authentication.kubernetes.io%2fpod-name", List.of("cm-abc"));
    h.put("X-remote-extra-scopes", List.of("a", "b"));
    return h;
  }

  private static List<X509Certificate> chain(IssuedCertificate c) {
    return List.of(c.certificate(), c.issuer());
  }

  @Test
  void frontProxyCertificateCarriesTheIdentity() {
    Authentication a =
        authenticator(config(Set.of("front-proxy-client")), null)
            .authenticate(chain(PROXY), headers());

    assertThat(a).isInstanceOf(Authentication.Authenticated.class);
    UserInfo u = ((Authentication.Authenticated) a).user();
    assertThat(u.name()).isEqualTo("system:serviceaccount:cert-manager:cert-manager");
    assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:authenticated");
    assertThat(u.uid()).isEqualTo("0b1c");
    assertThat(u.extra())
        .containsEntry("authentication.kubernetes.io/pod-name", List.of("cm-abc"))
        .containsEntry("scopes", List.of("a", "b"));
  }

  @Test
  void theLeafAloneIsEnough() {
    assertThat(
            authenticator(config(Set.of()), null)
                .authenticate(List.of(PROXY.certificate()), headers()))
        .isInstanceOf(Authentication.Authenticated.class);
  }

  @Test
  void noCertificate() {
    Authentication a = authenticator(config(Set.of()), null).authenticate(List.of(), headers());

    assertThat(reason(a)).contains("no client certificate");
  }

  @Test
  void certificateOfAnotherCa() {
    IssuedCertificate other = TestPki.newCa("front-proxy-ca").issueClient("front-proxy-client");

    Authentication a = authenticator(config(Set.of()), null).authenticate(chain(other), headers());

    assertThat(reason(a)).contains("does not chain to requestheader-client-ca-file");
  }

  @Test
  void commonNameNotAllowed() {
    IssuedCertificate someone = CA.issueClient("someone-else");

    Authentication a =
        authenticator(config(Set.of("front-proxy-client")), null)
            .authenticate(chain(someone), headers());

    assertThat(reason(a)).contains("CN=\"someone-else\"").contains("requestheader-allowed-names");
  }

  @Test
  void emptyAllowedNamesAcceptsAnyCommonNameOfTheCa() {
    IssuedCertificate someone = CA.issueClient("someone-else");

    assertThat(authenticator(config(Set.of()), null).authenticate(chain(someone), headers()))
        .isInstanceOf(Authentication.Authenticated.class);
  }

  @Test
  void serverCertificateIsNoClientCertificate() {
    IssuedCertificate server = CA.issueServer("front-proxy-client", List.of("x"), List.of());

    Authentication a = authenticator(config(Set.of()), null).authenticate(chain(server), headers());

    assertThat(reason(a)).contains("not valid for client authentication");
  }

  @Test
  void expiredCertificate() {
    Clock later = Clock.fixed(Instant.now().plus(400, ChronoUnit.DAYS), ZoneOffset.UTC);

    Authentication a = authenticator(config(Set.of()), later).authenticate(chain(PROXY), headers());

    assertThat(reason(a)).contains("does not chain");
  }

  @Test
  void aChainVerifiedEarlierExpiresAtItsNotAfterAndACaReloadVerifiesAnew() {
    MutableClock clock = new MutableClock(Instant.now());
    RequestHeaderConfig[] current = {config(Set.of())};
    RequestHeaderAuthenticator authenticator =
        new RequestHeaderAuthenticator(() -> current[0], () -> "not configured", clock);
    assertThat(authenticator.authenticate(chain(PROXY), headers()))
        .isInstanceOf(Authentication.Authenticated.class);

    // the request-header CA rotated: the old front-proxy chain is no longer trusted, cached or not
    TestPki rotated = TestPki.newCa("front-proxy-ca-2");
    current[0] =
        new RequestHeaderConfig(
            List.of(rotated.certificate()),
            Set.of(),
            List.of("X-Remote-User"),
            List.of("X-Remote-Group"),
            List.of("X-Remote-Extra-"),
            List.of("X-Remote-Uid"));
    assertThat(reason(authenticator.authenticate(chain(PROXY), headers())))
        .contains("does not chain");

    // back to the first CA, then past the certificate's notAfter: expired although verified before
    current[0] = config(Set.of());
    assertThat(authenticator.authenticate(chain(PROXY), headers()))
        .isInstanceOf(Authentication.Authenticated.class);
    clock.set(PROXY.certificate().getNotAfter().toInstant().plusSeconds(1));
    assertThat(reason(authenticator.authenticate(chain(PROXY), headers())))
        .contains("does not chain");
  }

  @Test
  void noUserHeader() {
    Map<String, List<String>> h = headers();
    h.remove("X-remote-user");

    Authentication a = authenticator(config(Set.of()), null).authenticate(chain(PROXY), h);

    assertThat(reason(a)).contains("names no user");
  }

  @Test
  void notConfiguredYetIsUnavailableNotUnauthenticated() {
    Authentication a =
        new RequestHeaderAuthenticator(() -> null, () -> "ConfigMap x/y does not exist", null)
            .authenticate(chain(PROXY), headers());

    // a caller cannot be told "you are nobody" before the CA that vouches for it is known
    assertThat(a).isInstanceOf(Authentication.Unavailable.class);
    assertThat(((Authentication.Unavailable) a).reason()).contains("ConfigMap x/y does not exist");
  }

  @Test
  void aForgedCommonNameCannotStartALogLineOfItsOwn() {
    IssuedCertificate forged =
        TestPki.newCa("someone").issueClient("x\n2026-12-02 INFO fake line \u001b[31mred\u001b[0m");

    String reason =
        reason(
            authenticator(config(Set.of("front-proxy-client")), null)
                .authenticate(chain(forged), headers()));

    assertThat(reason).contains("is not a front-proxy certificate").doesNotContain("\n");
    assertThat(reason.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)).isTrue();
    assertThat(reason).contains("CN=\"x?2026-12-02 INFO fake line ?[31mred?[0m\"");
  }

  private static String reason(Authentication a) {
    assertThat(a).isInstanceOf(Authentication.Unauthenticated.class);
    return ((Authentication.Unauthenticated) a).reason();
  }
}
