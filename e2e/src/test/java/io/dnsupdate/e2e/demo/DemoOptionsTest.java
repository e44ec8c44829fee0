package io.dnsupdate.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DemoOptionsTest {
  private static final String YOURS = "--nameserver=ns1.example.com:53";

  @Test
  void everythingLocalByDefault() {
    DemoOptions o = DemoOptions.parse(new String[0], Map.of());

    assertThat(o.localNameserver()).isTrue();
    assertThat(o.acmeDirectory()).isNull();
    assertThat(o.domain()).isEqualTo("example.test");
    assertThat(o.out()).isEqualTo(Path.of("demo-output"));
    assertThat(o.keyWait()).isEqualTo(Duration.ofMinutes(10));
    assertThat(o.keep()).isFalse();
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
  void theSpaceFormReadsLikeTheEqualsForm() {
    String[] spaced = {
      "--nameserver",
      "ns1.example.com:53",
      "--domain",
      "example.com",
      "--key-wait",
      "90s",
      "--out",
      "certs",
      "--acme-directory",
      "https://acme.example/dir",
      "--keep"
    };
    String[] equals = {
      "--nameserver=ns1.example.com:53", "--domain=example.com", "--key-wait=90s",
      "--out=certs", "--acme-directory=https://acme.example/dir", "--keep"
    };

    DemoOptions o = DemoOptions.parse(spaced, Map.of());

    assertThat(o).isEqualTo(DemoOptions.parse(equals, Map.of()));
    assertThat(o.keyWait()).isEqualTo(Duration.ofSeconds(90));
    assertThat(o.out()).isEqualTo(Path.of("certs"));
    assertThat(o.keep()).isTrue();
  }

  @Test
  void environmentWorksAndFlagsWin() {
    DemoOptions o =
        DemoOptions.parse(
            new String[] {"--domain=flag.example"},
            Map.of(
                "DEMO_NAMESERVER", "192.0.2.1:5353",
                "DEMO_DOMAIN", "env.example",
                "DEMO_KEY_WAIT", "30s"));

    assertThat(o.nameserver()).isEqualTo("192.0.2.1:5353");
    assertThat(o.domain()).isEqualTo("flag.example");
    assertThat(o.keyWait()).isEqualTo(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-h", "--help"})
  void helpIsAskedForAnywhere(String flag) {
    assertThat(DemoOptions.wantsHelp(new String[] {"--bogus", flag})).isTrue();
    assertThat(DemoOptions.wantsHelp(new String[] {"--keep"})).isFalse();
  }

  @Test
  void theSynopsisNamesEveryFlag() {
    assertThat(DemoOptions.USAGE)
        .contains(
            "--out DIR",
            "--nameserver HOST:PORT",
            "--domain DOMAIN",
            "--key-wait DURATION",
            "--acme-directory URL",
            "--keep",
            "-h|--help");
  }

  @Nested
  class Refused {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "--nameserver=ns1.example.com:99999 --domain=example.com"
              + "| --nameserver: nameserver 'ns1.example.com:99999': port '99999' is not a number",
          "--nameserver=ns1.example.com:0 --domain=example.com"
              + "| port '0' is not a number in 1-65535",
          "--nameserver=ns1.example.com:dns --domain=example.com | port 'dns' is not a number",
          "--nameserver= --domain=example.com | --nameserver: nameserver address is empty",
          "--domain=example.com | --domain example.com needs --nameserver",
          YOURS + " --domain=*.example.com | --domain: '*.example.com' is not a domain name",
          YOURS + " --domain=com | --domain: 'com' is not a domain name",
          "--key-wait=soon | --key-wait: 'soon' is not a duration",
          "--key-wait=0s | --key-wait: must be longer than 0s",
          YOURS + " --acme-directory=http://acme.example/dir | is not an https:// URL",
          "--acme-directory=https://acme.example/dir | --acme-directory needs --nameserver",
          "--out | --out needs a value",
          "--out --keep | --out needs a value",
          "--out= | --out: the directory name is empty",
          "--keep=yes | --keep takes no value",
          "--nameservers=x | unknown flag '--nameservers=x'",
        })
    void withTheReasonAndTheUsage(String args, String reason) {
      assertThatThrownBy(() -> DemoOptions.parse(args.strip().split(" +"), Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(reason.strip())
          .hasMessageContaining("usage: scripts/demo.sh");
    }

    @Test
    void everyProblemAtOnce() {
      assertThatThrownBy(
              () -> DemoOptions.parse(new String[] {"--bogus", "--key-wait=x"}, Map.of()))
          .hasMessageContaining("unknown flag '--bogus'")
          .hasMessageContaining("--key-wait: 'x' is not a duration");
    }

    @Test
    void anOutThatIsAFile(@TempDir Path dir) throws Exception {
      Path file = Files.writeString(dir.resolve("taken"), "x");

      assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--out", file.toString()}, Map.of()))
          .hasMessageContaining("exists and is not a directory");
    }
  }
}
