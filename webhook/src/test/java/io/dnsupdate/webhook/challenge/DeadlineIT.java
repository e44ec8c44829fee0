package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.payload;
import static io.dnsupdate.webhook.WebhookFixture.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.dnsupdate.testkit.NamedExtension;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestKeys;
import io.dnsupdate.webhook.WebhookFixture;
import io.dnsupdate.webhook.runtime.WebhookMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Work whose caller has gone sends no UPDATE: neither when the budget since the request's arrival
 * has run out nor when the caller is known to have closed its connection.
 */
@ExtendWith(NamedExtension.class)
class DeadlineIT {
  static final String NS = "deadline";
  static final String ISSUER = "example-test";
  static final String FQDN = "_acme-challenge.example.test.";

  static WebhookFixture fixture;

  @BeforeAll
  static void start(NamedServer named) {
    fixture = WebhookFixture.start();
    fixture.createKey(NS, "acme", TestKeys.ACME);
    fixture.createIssuer(NS, ISSUER, WebhookFixture.spec(named, "acme"));
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private ChallengeSolver solver(WebhookMetrics metrics, UpdateBatcher batcher) {
    Clock clock = Clock.systemUTC();
    return new ChallengeSolver(
        fixture.webhook.directory(),
        KeyMaterialCache.using(fixture.api.client(), clock),
        KerberosLogins.using(fixture.api.client(), clock, metrics),
        batcher,
        clock,
        metrics);
  }

  private static ChallengeRequest present(String value) throws Exception {
    return ChallengePayloadCodec.decode(
        payload("Present", NS, ISSUER, FQDN, value).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSpentBudgetOrAGoneCallerSendsNoUpdate(NamedServer named) throws Exception {
    WebhookMetrics metrics = WebhookMetrics.inMemory();
    try (UpdateBatcher batcher = new UpdateBatcher(Duration.ZERO, 100, metrics)) {
      ChallengeSolver solver = solver(metrics, batcher);
      Clock clock = Clock.systemUTC();
      String late = token();
      String hungUp = token();
      String onTime = token();

      ChallengeResult spent =
          solver.solve(present(late), new Deadline(clock.instant().minusMillis(1), () -> false));
      ChallengeResult gone =
          solver.solve(present(hungUp), new Deadline(clock.instant().plusSeconds(30), () -> true));

      assertThat(spent.success()).isFalse();
      assertThat(spent.reason()).isEqualTo("Abandoned");
      assertThat(spent.message()).contains("budget");
      assertThat(gone.reason()).isEqualTo("Abandoned");
      assertThat(gone.message()).contains("closed its connection");
      assertThat(metrics.dnsUpdateMessages()).isZero();
      assertThat(named.txt(FQDN)).doesNotContain(late, hungUp);

      // the control: with time left and the caller there, the same call writes
      ChallengeResult ok = solver.solve(present(onTime), Deadline.startingNow(clock));
      assertThat(ok.success()).as(ok.message()).isTrue();
      assertThat(named.txt(FQDN)).contains(onTime);
      solver.solve(
          ChallengePayloadCodec.decode(
              payload("CleanUp", NS, ISSUER, FQDN, onTime).getBytes(StandardCharsets.UTF_8)),
          Deadline.startingNow(clock));
    }
  }
}
