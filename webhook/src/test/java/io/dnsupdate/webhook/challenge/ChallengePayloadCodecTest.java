package io.dnsupdate.webhook.challenge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ChallengePayload wire format, byte for byte where cert-manager cares. */
class ChallengePayloadCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What cert-manager v1.x sends: no apiVersion/kind, uid "", config present. */
  static final String CERT_MANAGER_BODY =
      "{\"request\":{\"uid\":\"\",\"action\":\"Present\",\"type\":\"dns-01\","
          + "\"dnsName\":\"example.com\",\"key\":\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\","
          + "\"resourceNamespace\":\"team-a\",\"resolvedFQDN\":\"_acme-challenge.example.com.\","
          + "\"resolvedZone\":\"example.com.\",\"allowAmbientCredentials\":false,"
          + "\"config\":{\"issuer\":\"example-com\"}}}";

  static ChallengeRequest decode(String json) throws InvalidPayloadException {
    return ChallengePayloadCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesWhatCertManagerSends() throws Exception {
    ChallengeRequest r = decode(CERT_MANAGER_BODY);

    assertThat(r.uid()).isEmpty();
    assertThat(r.action()).isEqualTo(ChallengeAction.PRESENT);
    assertThat(r.type()).isEqualTo("dns-01");
    assertThat(r.dnsName()).isEqualTo("example.com");
    assertThat(r.key()).isEqualTo("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0");
    assertThat(r.resourceNamespace()).isEqualTo("team-a");
    assertThat(r.resolvedFqdn()).isEqualTo("_acme-challenge.example.com.");
    assertThat(r.resolvedZone()).isEqualTo("example.com.");
    assertThat(r.allowAmbientCredentials()).isFalse();
    assertThat(r.config().get("issuer").asText()).isEqualTo("example-com");
  }

  @Test
  void acceptsCertManagersApiVersionAndTheSolversOwn() throws Exception {
    String body = CERT_MANAGER_BODY.substring(1);
    assertThat(
            decode(
                    "{\"apiVersion\":\"webhook.acme.cert-manager.io/v1alpha1\",\"kind\":\"ChallengePayload\","
                        + body)
                .action())
        .isEqualTo(ChallengeAction.PRESENT);
    assertThat(
            decode(
                    "{\"apiVersion\":\"acme.dnsupdate.io/v1alpha1\",\"kind\":\"ChallengePayload\","
                        + body)
                .action())
        .isEqualTo(ChallengeAction.PRESENT);
  }

  @Test
  void successAnswerIsThePayloadWithResponse() throws Exception {
    ChallengeRequest r = decode(CERT_MANAGER_BODY);

    String answer =
        new String(
            ChallengePayloadCodec.encode(r, ChallengeResult.success("team-a/example-com", "x.")),
            StandardCharsets.UTF_8);

    assertThat(answer)
        .isEqualTo(
            "{\"apiVersion\":\"webhook.acme.cert-manager.io/v1alpha1\",\"kind\":\"ChallengePayload\","
                + "\"request\":{\"uid\":\"\",\"action\":\"Present\",\"type\":\"dns-01\","
                + "\"dnsName\":\"example.com\","
                + "\"key\":\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\","
                + "\"resourceNamespace\":\"team-a\","
                + "\"resolvedFQDN\":\"_acme-challenge.example.com.\","
                + "\"resolvedZone\":\"example.com.\",\"allowAmbientCredentials\":false,"
                + "\"config\":{\"issuer\":\"example-com\"}},"
                + "\"response\":{\"uid\":\"\",\"success\":true}}");
  }

  @Test
  void failureAnswerCarriesAFailedStatusWithTheMessage() throws Exception {
    ChallengeRequest r = decode(CERT_MANAGER_BODY.replace("\"uid\":\"\"", "\"uid\":\"abc\""));
    SolverFailure f =
        new SolverFailure(SolverFailure.Reason.IssuerNotReady, "DnsUpdateIssuer x/y is not Ready");

    String answer =
        new String(
            ChallengePayloadCodec.encode(r, ChallengeResult.failure(f, "x/y", "")),
            StandardCharsets.UTF_8);

    // cert-manager decodes it with encoding/json: fields count, not their order
    assertThat(JSON.readTree(answer).get("response"))
        .isEqualTo(
            JSON.readTree(
                "{\"uid\":\"abc\",\"success\":false,\"status\":{\"metadata\":{},"
                    + "\"status\":\"Failed\",\"message\":\"DnsUpdateIssuer x/y is not Ready\","
                    + "\"reason\":\"IssuerNotReady\"}}"));
  }

  @Test
  void absentOptionalFieldsStayAbsent() throws Exception {
    ChallengeRequest r =
        decode(
            "{\"request\":{\"action\":\"CleanUp\",\"dnsName\":\"a.example.com\",\"key\":\"k\"}}");

    assertThat(r.uid()).isEmpty();
    assertThat(r.config()).isNull();
    String answer =
        new String(
            ChallengePayloadCodec.encode(r, ChallengeResult.success("", "")),
            StandardCharsets.UTF_8);
    assertThat(answer).doesNotContain("resolvedFQDN").doesNotContain("config");
  }

  @Test
  void failureNeedsANonEmptyMessage() {
    assertThatThrownBy(() -> new ChallengeResult("X", " ", "", ""))
        .hasMessageContaining("empty message as success");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| the request body is empty",
        "not json| not valid JSON",
        "[1,2]| not a JSON object",
        "{}| payload request field cannot be empty",
        "{\"request\":null}| payload request field cannot be empty",
        "{\"request\":[]}| request: expected an object",
        "{\"request\":{\"action\":\"present\"}}| unknown action type \"present\"",
        "{\"request\":{}}| unknown action type \"\"",
        "{\"request\":{\"action\":\"Present\",\"key\":1}}| request.key: expected a string",
        "{\"request\":{\"action\":\"Present\",\"allowAmbientCredentials\":\"yes\"}}| expected true"
            + " or false",
        "{\"apiVersion\":\"v1\",\"request\":{\"action\":\"Present\"}}| apiVersion 'v1' does not"
            + " match",
        "{\"kind\":\"Pod\",\"request\":{\"action\":\"Present\"}}| kind 'Pod' does not match",
        "{\"request\":{\"action\":\"Present\"}} {}| not valid JSON"
      })
  void malformedPayloads(String body, String message) {
    assertThatThrownBy(() -> decode(body))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessageContaining(message);
  }
}
