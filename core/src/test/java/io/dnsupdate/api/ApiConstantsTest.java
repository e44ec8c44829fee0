package io.dnsupdate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.Durations;
import io.dnsupdate.dns.Nameserver;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD's patterns and the Java parsers agree, so the API server never accepts what the operator
 * then refuses (nor the other way round).
 */
class ApiConstantsTest {
  private static boolean matches(String pattern, String text) {
    return Pattern.compile(pattern).matcher(text).matches();
  }

  @Test
  void names() {
    assertThat(ApiConstants.API_VERSION).isEqualTo("dnsupdate.io/v1alpha1");
    assertThat(ApiConstants.SOLVER_API_SERVICE).isEqualTo("v1alpha1.acme.dnsupdate.io");
    assertThat(ApiConstants.LABEL_TSIG_KEY).isEqualTo("dnsupdate.io/tsigkey");
    assertThat(new TsigKey().getApiVersion()).isEqualTo(ApiConstants.API_VERSION);
    assertThat(new TsigKey().getKind()).isEqualTo(ApiConstants.KIND_TSIG_KEY);
    assertThat(new DnsUpdateIssuer().getKind()).isEqualTo(ApiConstants.KIND_DNS_UPDATE_ISSUER);
    assertThat(TsigKey.defaultKeyName("acme", "certs")).isEqualTo("acme.certs.dnsupdate.io.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"90s", "1h30m", "720h", "1.5h", "250ms", "PT90S", "P30D", "P1DT2H", "PT1M30.5S"})
  void durationsTheCrdAcceptsParse(String text) {
    assertThat(matches(ApiConstants.DURATION_PATTERN, text)).isTrue();
    assertThatCode(() -> Durations.parse(text)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10", "1d", "P", "PT", "P1W", "-1s", "1h 30m", "P1DT", "1.s"})
  void durationsTheCrdRefusesDoNotParse(String text) {
    assertThat(matches(ApiConstants.DURATION_PATTERN, text)).isFalse();
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ns1.example.com",
        "ns1.example.com:5353",
        "ns1.example.com.",
        "192.0.2.53",
        "192.0.2.53:53",
        "[2001:db8::53]:853",
        "2001:db8::53",
        "bind_primary",
      })
  void nameserversTheCrdAcceptsParse(String text) {
    assertThat(matches(ApiConstants.NAMESERVER_PATTERN, text)).isTrue();
    assertThatCode(() -> Nameserver.parse(text)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ns1 example", "ns1.example.com:", "[2001:db8::53", "ns/1", ":53"})
  void nameserversTheCrdRefuses(String text) {
    assertThat(matches(ApiConstants.NAMESERVER_PATTERN, text)).isFalse();
    assertThatThrownBy(() -> Nameserver.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com",
        "example.com.",
        "a-b.example.co.uk",
        "internal",
        "xn--bcher-kva.de"
      })
  void domainsTheCrdAcceptsValidate(String text) {
    assertThat(matches(ApiConstants.DOMAIN_PATTERN, text)).isTrue();
    assertThatCode(() -> DomainPolicy.validateDomain(text)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "*.example.com",
        "_acme-challenge.example.com",
        "-a.com",
        "a..com",
        ".",
        "a b.com"
      })
  void domainsTheCrdRefusesDoNotValidate(String text) {
    assertThat(matches(ApiConstants.DOMAIN_PATTERN, text)).isFalse();
    assertThatThrownBy(() -> DomainPolicy.validateDomain(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme.certs.dnsupdate.io.", "acme-key", "_acme-challenge.example.com"})
  void dnsNames(String text) {
    assertThat(matches(ApiConstants.DNS_NAME_PATTERN, text)).isTrue();
  }
}
