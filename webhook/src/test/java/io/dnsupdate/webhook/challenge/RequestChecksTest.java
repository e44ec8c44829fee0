package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checks before any lookup, each failure naming what to fix. */
class RequestChecksTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ChallengeRequest request(String type, String namespace) {
    return new ChallengeRequest(
        "", ChallengeAction.PRESENT, type, "example.com", "k", namespace, "", "", false, null);
  }

  @ParameterizedTest
  @CsvSource({"dns-01, team-a, team-a", "'', ' team-a ', team-a"})
  void namespace(String type, String namespace, String expected) throws Exception {
    assertThat(RequestChecks.namespace(request(type, namespace))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http-01| team-a| dns-01 only",
        "dns-01| ''| resourceNamespace is empty",
        "dns-01| Team_A| is not a namespace name"
      })
  void badNamespace(String type, String namespace, String message) {
    assertThatThrownBy(() -> RequestChecks.namespace(request(type, namespace)))
        .isInstanceOf(SolverFailure.class)
        .hasMessageContaining(message)
        .satisfies(
            e ->
                assertThat(((SolverFailure) e).reason())
                    .isEqualTo(SolverFailure.Reason.InvalidChallenge));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"issuer\": \"dns\"}| dns",
        "{\"issuer\": \" dns \"}| dns",
        "{\"issuer\": \"dns\", \"namespace\": \"team-a\"}| dns"
      })
  void issuerName(String config, String expected) throws Exception {
    assertThat(RequestChecks.issuerName(JSON.readTree(config), "team-a")).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "| the solver config is empty",
        "[]| is not an object",
        "{}| names no issuer",
        "{\"issuer\": 7}| names no issuer",
        "{\"issuer\": \"dns\", \"namespace\": \"team-b\"}| config.namespace is not supported",
        "{\"issuer\": \"Not_A_Name\"}| is not a DnsUpdateIssuer name"
      })
  void badConfig(String config, String message) throws Exception {
    JsonNode node = config == null ? null : JSON.readTree(config);
    assertThatThrownBy(() -> RequestChecks.issuerName(node, "team-a"))
        .isInstanceOf(SolverFailure.class)
        .hasMessageContaining(message)
        .satisfies(
            e ->
                assertThat(((SolverFailure) e).reason())
                    .isEqualTo(SolverFailure.Reason.IssuerNotFound));
  }
}
