package io.dnsupdate.webhook.challenge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.testkit.FuzzChecks;

/**
 * Fuzzes the body of a ChallengePayload POST, which anyone allowed through the front proxy sends:
 * either an {@link InvalidPayloadException} (HTTP 400) with a printable message, or a request whose
 * answer, success or failure, reads back as the same request.
 */
class ChallengePayloadCodecFuzzTest {
  @FuzzTest
  void decode(byte[] body) throws InvalidPayloadException {
    ChallengeRequest request;
    try {
      request = ChallengePayloadCodec.decode(body);
    } catch (InvalidPayloadException e) {
      FuzzChecks.requireCleanMessage(e);
      return;
    }
    ChallengeResult failure =
        ChallengeResult.failure(
            new SolverFailure(SolverFailure.Reason.InvalidChallenge, "no"), "issuer", "");
    for (ChallengeResult result :
        new ChallengeResult[] {ChallengeResult.success("", ""), failure}) {
      assertEquals(
          request, ChallengePayloadCodec.decode(ChallengePayloadCodec.encode(request, result)));
    }
  }
}
