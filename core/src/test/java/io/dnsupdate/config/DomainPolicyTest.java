package io.dnsupdate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Name;

class DomainPolicyTest {
  private final DomainPolicy policy = DomainPolicy.of(List.of("example.com", "Sub.Example.NET."));

  @Nested
  class Allows {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "_acme-challenge.example.com.",
          "_acme-challenge.example.com",
          "_ACME-CHALLENGE.EXAMPLE.COM.",
          "_acme-challenge.a.example.com.",
          "_acme-challenge.deep.a.example.com.",
          "_acme-challenge.sub.example.net.",
          "_acme-challenge.x.sub.example.net.",
          // dns-account-01 (draft-ietf-acme-dns-account-label)
          "_ujmmovf2vn55tgye._acme-challenge.example.com.",
          "_ujmmovf2vn55tgye._acme-challenge.a.example.com.",
        })
    void challengeNamesAtOrBelowAnAllowedDomain(String fqdn) {
      assertThat(policy.allows(fqdn)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "_acme-challenge.notexample.com.",
          "_acme-challenge.example.com.evil.org.",
          "_acme-challenge.com.",
          "_acme-challenge.",
          "_acme-challenge.example.net.",
          "_acme-challenge.other.example.net.",
          "example.com.",
          "www.example.com.",
          "acme-challenge.example.com.",
          "_acme-challenge-x.example.com.",
          "x._acme-challenge.example.com.",
          "_a._b._acme-challenge.example.com.",
          "_acme-challenge._acme-challenge.example.com.",
          "_acme-challenge.*.example.com.",
          "_acme-challenge.a_b.example.com.",
          "_acme-challenge.evil\\.example.com.",
          "",
          "not a name..",
        })
    void nothingElse(String fqdn) {
      assertThat(policy.allows(fqdn)).isFalse();
    }

    @Test
    void relativeNamesAreTakenAsAbsolute() throws Exception {
      assertThat(policy.allows(Name.fromString("_acme-challenge.example.com"))).isTrue();
      assertThat(policy.allows((Name) null)).isFalse();
    }

    @Test
    void reportsTheMostSpecificAllowedDomain() throws Exception {
      DomainPolicy nested = DomainPolicy.of(List.of("example.com", "a.example.com"));
      assertThat(nested.allowedDomainFor(Name.fromString("_acme-challenge.b.a.example.com.")))
          .contains(Name.fromString("a.example.com."));
      assertThat(nested.allowedDomainFor(Name.fromString("_acme-challenge.b.example.com.")))
          .contains(Name.fromString("example.com."));
    }
  }

  @Nested
  class Domains {
    @Test
    void normalisedSortedAndDeduplicated() {
      DomainPolicy p = DomainPolicy.of(List.of("b.example.com", "EXAMPLE.com.", "example.com"));
      assertThat(p.domains())
          .extracting(Name::toString)
          .containsExactly("example.com.", "b.example.com.");
    }

    @Test
    void challengeNamesForUpdatePolicyGrants() {
      assertThat(policy.challengeNames())
          .extracting(Name::toString)
          .containsExactly("_acme-challenge.example.com.", "_acme-challenge.sub.example.net.");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "*.example.com | has a wildcard; list the domain itself",
          "_acme-challenge.example.com | underscore label '_acme-challenge'",
          "exa_mple.com | labels hold letters, digits and inner hyphens only",
          "-example.com | labels hold letters, digits and inner hyphens only",
          "example-.com | labels hold letters, digits and inner hyphens only",
          "example..com | has an empty label",
          ". | is the DNS root",
          "example.com/x | labels hold letters, digits and inner hyphens only",
        })
    void invalidDomainsAreExplained(String domain, String message) {
      assertThatThrownBy(() -> DomainPolicy.validateDomain(domain))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(message);
    }

    @Test
    void labelAndNameLengthsAreLimited() {
      String label63 = "a".repeat(63);
      assertThat(DomainPolicy.validateDomain(label63 + ".com").toString())
          .isEqualTo(label63 + ".com.");
      assertThatThrownBy(() -> DomainPolicy.validateDomain("a".repeat(64) + ".com"))
          .hasMessageContaining("longer than 63");
      String long254 = (label63 + ".").repeat(3) + "a".repeat(62);
      assertThatThrownBy(() -> DomainPolicy.validateDomain(long254))
          .hasMessageContaining("at most 253");
      // fits alone, but not once "_acme-challenge." is put in front
      String long240 = (label63 + ".").repeat(3) + "a".repeat(48);
      assertThatThrownBy(() -> DomainPolicy.validateDomain(long240))
          .hasMessageContaining("_acme-challenge");
    }

    @Test
    void everyBadEntryIsListed() {
      assertThatThrownBy(() -> DomainPolicy.of(List.of("ok.com", "*.a.com", "b_c.com")))
          .hasMessageStartingWith("domains[1]: ")
          .hasMessageContaining("; domains[2]: ");
      assertThatThrownBy(() -> DomainPolicy.of(List.of())).hasMessageContaining("at least one");
    }
  }
}
