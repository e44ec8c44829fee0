package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What may be written, checked before any lookup. */
class ChallengeNamesTest {
  static ChallengeRequest request(String dnsName, String resolvedFqdn) {
    return new ChallengeRequest(
        "", ChallengeAction.PRESENT, "dns-01", dnsName, "k", "ns", resolvedFqdn, "", false, null);
  }

  @ParameterizedTest
  @CsvSource({
    "example.com, _acme-challenge.example.com., _acme-challenge.example.com.",
    "example.com, _acme-challenge.example.com, _acme-challenge.example.com.",
    "example.com, _Acme-Challenge.EXAMPLE.com., _acme-challenge.example.com.",
    "example.com, _acme-challenge.delegated.example.net., _acme-challenge.delegated.example.net.",
    "example.com, '', _acme-challenge.example.com.",
    "*.example.com, '', _acme-challenge.example.com.",
    "a.b.example.com, '', _acme-challenge.a.b.example.com.",
    "example.com, _x._acme-challenge.example.com., _x._acme-challenge.example.com."
  })
  void challengeName(String dnsName, String resolved, String expected) throws Exception {
    assertThat(ChallengeNames.challengeName(request(dnsName, resolved)).toString())
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| both empty",
        "a..example.com.| empty label",
        "_acme-challenge.ex ample.com.| characters other than",
        "_acme-challenge.-x.example.com.| characters other than",
        "_acme-challenge.é.example.com.| characters other than",
        "_acme-challenge.x\\046y.example.com.| characters other than",
        ".| the DNS root"
      })
  void badNames(String resolved, String message) {
    assertThatThrownBy(() -> ChallengeNames.challengeName(request("", resolved)))
        .isInstanceOf(SolverFailure.class)
        .hasMessageContaining(message)
        .satisfies(
            e ->
                assertThat(((SolverFailure) e).reason())
                    .isEqualTo(SolverFailure.Reason.InvalidChallenge));
  }

  @Test
  void labelLongerThan63() {
    assertThatThrownBy(
            () ->
                ChallengeNames.challengeName(
                    request("", "_acme-challenge." + "x".repeat(64) + ".example.com.")))
        .hasMessageContaining("label of 64 characters; at most 63");
  }

  @Test
  void nameLongerThan253() {
    String name = "_acme-challenge." + "abcdefgh.".repeat(27) + "com";
    assertThatThrownBy(() -> ChallengeNames.challengeName(request("", name)))
        .hasMessageContaining("at most 253");
  }

  @Test
  void theLongestNameStillFits() throws Exception {
    // 253 characters: 16 + 13 * 18 + 3
    String name = "_acme-challenge." + "abcdefghijklmnopq.".repeat(13) + "com";
    assertThat(name).hasSize(253);
    assertThat(ChallengeNames.challengeName(request("", name)).toString()).hasSize(254);
  }

  @Test
  void dns01Key() throws Exception {
    ChallengeNames.requireDns01Key("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0");
    ChallengeNames.requireDns01Key("-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-");
    // what cert-manager's conformance suite writes
    ChallengeNames.requireDns01Key("123d==");
    ChallengeNames.requireDns01Key("anothertestingkey");
    ChallengeNames.requireDns01Key("x".repeat(255));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "two words",
        "tab\there",
        "new\nline",
        "back\\slash",
        "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjE\"X0",
        "caf\u00e9"
      })
  void notATxtValue(String key) {
    assertThatThrownBy(() -> ChallengeNames.requireDns01Key(key))
        .isInstanceOf(SolverFailure.class)
        .hasMessageContaining("request.key");
  }
}
