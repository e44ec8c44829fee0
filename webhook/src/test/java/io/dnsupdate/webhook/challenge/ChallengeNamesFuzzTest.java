package io.dnsupdate.webhook.challenge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.testkit.FuzzChecks;
import java.util.Locale;
import org.xbill.DNS.Name;

/**
 * Fuzzes the checks on what a challenge asks to write: the TXT value and the name from {@code
 * resolvedFQDN} or {@code dnsName}. A bad one is an InvalidChallenge {@link SolverFailure} with a
 * printable message; a good name is absolute, lower case and starts with the challenge label.
 */
class ChallengeNamesFuzzTest {
  @FuzzTest
  void keyAndName(FuzzedDataProvider data) {
    String key = data.consumeString(300);
    String dnsName = data.consumeString(300);
    String resolvedFqdn = data.consumeRemainingAsString();
    ChallengeRequest request =
        new ChallengeRequest(
            "uid",
            ChallengeAction.PRESENT,
            "dns-01",
            dnsName,
            key,
            "team-a",
            resolvedFqdn,
            "",
            false,
            null);
    try {
      ChallengeNames.requireDns01Key(key);
      assertTrue(key.length() <= 255 && key.chars().allMatch(c -> c > 0x20 && c < 0x7f), key);
    } catch (SolverFailure e) {
      assertEquals(SolverFailure.Reason.InvalidChallenge, e.reason());
      FuzzChecks.requireCleanMessage(e);
    }
    Name name;
    try {
      name = ChallengeNames.challengeName(request);
    } catch (SolverFailure e) {
      assertEquals(SolverFailure.Reason.InvalidChallenge, e.reason());
      FuzzChecks.requireCleanMessage(e);
      return;
    }
    assertTrue(name.isAbsolute());
    assertEquals(name.toString().toLowerCase(Locale.ROOT), name.toString());
    if (resolvedFqdn.isBlank()) {
      assertTrue(name.toString().startsWith("_acme-challenge."), name.toString());
    }
  }
}
