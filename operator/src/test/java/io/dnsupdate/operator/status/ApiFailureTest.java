package io.dnsupdate.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.operator.status.ApiFailure.Reason;
import io.dnsupdate.operator.status.Health.Progress;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.SocketTimeoutException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiFailureTest {
  private static KubernetesClientException answer(int code, String message) {
    return new KubernetesClientException(
        "Failure executing: POST at: https://127.0.0.1/api/v1/namespaces/a/secrets",
        code,
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  private static ApiFailure create(KubernetesClientException e) {
    return ApiFailure.of("create", "", "secrets", "team-a", "web-tsig", e, s -> s);
  }

  @ParameterizedTest
  @CsvSource({
    "401, ApiForbidden, STALLED",
    "403, ApiForbidden, STALLED",
    "400, ApiRejected, STALLED",
    "413, ApiRejected, STALLED",
    "422, ApiRejected, STALLED",
    "404, ApiConflict, RECONCILING",
    "409, ApiConflict, RECONCILING",
    "410, ApiConflict, RECONCILING",
    "429, ApiUnavailable, RECONCILING",
    "500, ApiUnavailable, RECONCILING",
    "503, ApiUnavailable, RECONCILING",
    "504, ApiUnavailable, RECONCILING",
    "0, ApiUnavailable, RECONCILING"
  })
  void classifiesByHttpStatus(int code, Reason reason, Progress progress) {
    assertThat(ApiFailure.classify(code)).isEqualTo(reason);
    assertThat(reason.progress()).isEqualTo(progress);
    assertThat(reason.event().name()).isEqualTo(reason.name());
    assertThat(reason.event().type()).isEqualTo(EventReason.Type.WARNING);
  }

  @Test
  void aDenialNamesTheCallAndTheGrant() {
    ApiFailure f = create(answer(403, "secrets is forbidden: User \"system:serviceaccount:d:o\""));

    assertThat(f.message())
        .isEqualTo(
            "create secrets 'web-tsig' in namespace 'team-a': forbidden (HTTP 403): secrets is"
                + " forbidden: User \"system:serviceaccount:d:o\". Grant the operator's"
                + " ServiceAccount 'create' on secrets (the core API group) in namespace 'team-a':"
                + " the chart's operator ClusterRole has it, bound cluster-wide or, with"
                + " operator.watchNamespaces, in each namespace listed there; an admission policy"
                + " may deny it too");
    assertThat(f.statusWrite()).isFalse();
  }

  @Test
  void aStatusWriteNamesTheSubresourceAndItsGroup() {
    ApiFailure f =
        ApiFailure.of(
            "patch", "dnsupdate.io", "tsigkeys/status", "a", "web", answer(403, ""), s -> s);

    assertThat(f.statusWrite()).isTrue();
    assertThat(f.message())
        .startsWith("patch tsigkeys/status 'web' in namespace 'a': forbidden (HTTP 403). Grant")
        .contains("'patch' on tsigkeys/status (API group dnsupdate.io) in namespace 'a'");
  }

  @Test
  void noAnswerSaysSoAndNamesTheKindOfFailure() {
    ApiFailure f =
        create(
            new KubernetesClientException(
                "Failure executing", new SocketTimeoutException("timeout")));

    assertThat(f.code()).isZero();
    assertThat(f.reason()).isEqualTo(Reason.ApiUnavailable);
    assertThat(f.message())
        .startsWith(
            "create secrets 'web-tsig' in namespace 'team-a': no answer from the API server:"
                + " SocketTimeoutException. The operator retries with backoff");
  }

  @Test
  void serverTextIsRedactedMadePrintableAndCut() {
    String key = Base64.getEncoder().encodeToString(new byte[32]);
    Secret written =
        new SecretBuilder()
            .withNewMetadata()
            .withName("x")
            .endMetadata()
            .withData(Map.of("secret", key))
            .build();
    String forged = "denied " + key + "\nlevel=INFO msg=\"forged\" " + "x".repeat(400);

    ApiFailure f =
        ApiFailure.of(
            "create",
            "",
            "secrets",
            "team-a",
            "web-tsig",
            answer(422, forged),
            s -> SafeMessages.withoutValues(s, written));

    assertThat(f.detail()).doesNotContain(key).contains("<redacted>").doesNotContain("\n");
    assertThat(f.detail()).hasSize(ApiFailure.MAX_DETAIL).endsWith("...");
    assertThat(f.message()).doesNotContain(key).doesNotContain("\n");
  }

  @Test
  void namesFromTheResourceAreMadePrintable() {
    ApiFailure f =
        ApiFailure.of("get", "", "secrets", "a\nb", "web\u001b[31m", answer(500, ""), s -> s);

    assertThat(f.call()).isEqualTo("get secrets 'web?[31m' in namespace 'a?b'");
  }
}
