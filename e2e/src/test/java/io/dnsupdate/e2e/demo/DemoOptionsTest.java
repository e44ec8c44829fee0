package io.dnsupdate.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  @Test
  void everythingLocalByDefault() {
    DemoOptions o = DemoOptions.parse(new String[0], Map.of());

    assertThat(o.localNameserver()).isTrue();
    assertThat(o.acmeDirectory()).isNull();
    assertThat(o.domain()).isEqualTo("example.test");
    assertThat(o.out()).isEqualTo(Path.of("demo-output"));
    assertThat(o.keyWait()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void flagsPointItAtYourNameserverAndCa() {
    DemoOptions o =
        DemoOptions.parse(
            new String[] {
              "--nameserver=ns1.example.com:53",
              "--domain=example.com.",
              "--acme-directory=https://acme-staging-v02.api.letsencrypt.org/directory",
              "--key-wait=2m"
            },
            Map.of());

    assertThat(o.localNameserver()).isFalse();
    assertThat(o.nameserver()).isEqualTo("ns1.example.com:53");
    assertThat(o.domain()).isEqualTo("example.com");
    assertThat(o.acmeDirectory())
        .isEqualTo(URI.create("https://acme-staging-v02.api.letsencrypt.org/directory"));
    assertThat(o.keyWait()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void environmentWorksAndFlagsWin() {
    DemoOptions o =
        DemoOptions.parse(
            new String[] {"--domain=flag.example"},
            Map.of("DEMO_NAMESERVER", "192.0.2.1:5353", "DEMO_DOMAIN", "env.example"));

    assertThat(o.nameserver()).isEqualTo("192.0.2.1:5353");
    assertThat(o.domain()).isEqualTo("flag.example");
  }

  @Test
  void aPublicCaNeedsYourNameserver() {
    assertThatThrownBy(
            () ->
                DemoOptions.parse(
                    new String[] {"--acme-directory=https://acme.example/dir"}, Map.of()))
        .hasMessageContaining("--acme-directory needs --nameserver");
  }

  @Test
  void unknownFlagIsNamedWithTheUsage() {
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--nameservers=x"}, Map.of()))
        .hasMessageContaining("unknown flag '--nameservers=x'")
        .hasMessageContaining("usage: scripts/demo.sh");
  }
}
