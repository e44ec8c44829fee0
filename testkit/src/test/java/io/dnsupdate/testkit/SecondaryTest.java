package io.dnsupdate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SecondaryTest {

  @RegisterExtension static final NamedExtension NAMED = NamedExtension.withSecondary();

  @Test
  void secondaryReceivesUpdatesByNotify(NamedServer primary, @Secondary NamedServer secondary) {
    assertThat(primary).isSameAs(NAMED.primary());
    assertThat(secondary).isSameAs(NAMED.secondary());
    assertThat(secondary.address()).isEqualTo(StandardZones.SECONDARY_ADDRESS);
    assertThat(secondary.soaSerial(StandardZones.EXAMPLE))
        .isEqualTo(primary.soaSerial(StandardZones.EXAMPLE));

    CommandResult r =
        primary.nsupdate(
            TestKeys.ACME, "update add _acme-challenge.example.test. 60 TXT \"via-notify\"");
    assertThat(r.ok()).as(r.output()).isTrue();

    // The SOA refresh is 60 s: seeing the record within seconds proves the NOTIFY.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> secondary.txt("_acme-challenge.example.test").contains("via-notify"));
    assertThat(secondary.soaSerial(StandardZones.EXAMPLE))
        .isEqualTo(primary.soaSerial(StandardZones.EXAMPLE));
  }
}
