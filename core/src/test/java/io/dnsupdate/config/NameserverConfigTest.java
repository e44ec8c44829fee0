package io.dnsupdate.config;

import static io.dnsupdate.config.BindConfigRendererTest.KEY;
import static io.dnsupdate.config.BindConfigRendererTest.NAMES;
import static io.dnsupdate.config.BindConfigRendererTest.SECRET;
import static io.dnsupdate.config.BindConfigRendererTest.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameserverConfigTest {

  @Test
  void renderIsDeterministicAndFillsTheSecretKeys() {
    NameserverConfig a = NameserverConfig.render(KEY, NAMES);
    NameserverConfig b =
        NameserverConfig.render(KEY, List.of(NAMES.get(3), NAMES.get(2), NAMES.get(0)));

    assertThat(a).isEqualTo(b);
    assertThat(NameserverConfig.render(KEY, List.of(name("_acme-challenge.EXAMPLE.com."))))
        .isEqualTo(NameserverConfig.render(KEY, List.of(name("_acme-challenge.example.com"))));
    assertThat(a.toStringData())
        .containsOnlyKeys("named.conf", "update-policy", "knot.conf", "pdns.txt", "pdns-policy.lua")
        .containsEntry("named.conf", BindConfigRenderer.bindKeyClause(KEY))
        .containsEntry("pdns-policy.lua", PowerDnsConfigRenderer.policy(KEY, NAMES));
    assertThat(a.toString()).doesNotContain(SECRET.substring(0, 10));
  }
}
