package io.dnsupdate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineTest {
  private static final CommandLine TOOL =
      new CommandLine(
          "usage: tool [--flag value ...]",
          List.of(
              Flag.of("port", "PORT", "TOOL_PORT", "8080", "port to listen on"),
              Flag.of("every", "DURATION", "TOOL_EVERY", "5m", "between runs"),
              Flag.of("name", "NAME", null, null, "a name"),
              Flag.of("on", "BOOL", "TOOL_ON", "true", "whether it runs"),
              Flag.toggle("keep", "keep the files")));

  @Test
  void defaultsThenEnvironmentThenFlags() {
    FlagValues defaults = TOOL.parse(new String[0], Map.of());
    FlagValues env = TOOL.parse(new String[0], Map.of("TOOL_PORT", " 9090 ", "TOOL_EVERY", ""));
    FlagValues flags = TOOL.parse(new String[] {"--port=1"}, Map.of("TOOL_PORT", "9090"));

    assertThat(defaults.integer("port", 0, 65535)).isEqualTo(8080);
    assertThat(defaults.text("name")).isNull();
    assertThat(defaults.isSet("keep")).isFalse();
    assertThat(env.integer("port", 0, 65535)).isEqualTo(9090);
    assertThat(env.positiveDuration("every")).as("a blank variable is unset").hasMinutes(5);
    assertThat(flags.integer("port", 0, 65535)).isEqualTo(1);
  }

  @Test
  void theSpaceFormReadsLikeTheEqualsForm() {
    FlagValues spaced =
        TOOL.parse(new String[] {"--every", "90s", "--keep", "--on", "no"}, Map.of());
    FlagValues equals = TOOL.parse(new String[] {"--every=90s", "--keep", "--on=no"}, Map.of());

    for (FlagValues v : List.of(spaced, equals)) {
      assertThat(v.positiveDuration("every")).isEqualTo(Duration.ofSeconds(90));
      assertThat(v.isSet("keep")).isTrue();
      assertThat(v.bool("on")).isFalse();
      v.check();
    }
  }

  @Test
  void everyProblemAtOnceNamingItsSourceThenTheUsage() {
    FlagValues v =
        TOOL.parse(
            new String[] {"stray", "--nope=1", "--keep=yes", "--on", "maybe", "--name"},
            Map.of("TOOL_PORT", "http", "TOOL_EVERY", "0s"));
    v.integer("port", 0, 65535);
    v.positiveDuration("every");
    v.bool("on");

    assertThatThrownBy(v::check)
        .isInstanceOfSatisfying(UsageException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessageStartingWith(
            String.join(
                "\n",
                "unexpected argument 'stray' (flags look like --name value)",
                "unknown flag '--nope=1'",
                "--keep takes no value",
                "--name needs a value (NAME)",
                "TOOL_PORT: 'http' is not a number in 0-65535",
                "TOOL_EVERY: must be longer than 0s",
                "--on: 'maybe' is not true or false",
                "usage: tool"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-h", "--help"})
  void helpAnywhereCarriesTheUsage(String flag) {
    assertThatThrownBy(() -> TOOL.parse(new String[] {"--nope", flag}, Map.of()))
        .isInstanceOfSatisfying(
            UsageException.class,
            e -> {
              assertThat(e.helpRequested()).isTrue();
              assertThat(e.exitCode()).isZero();
            })
        .hasMessage(TOOL.usage());
  }

  @Test
  void theUsageListsEveryFlagWithItsVariableAndDefault() {
    assertThat(TOOL.usage())
        .startsWith("usage: tool [--flag value ...]\n")
        .contains("  --port PORT                  port to listen on (env TOOL_PORT, default 8080)")
        .contains("  --keep                       keep the files\n")
        .contains("  -h, --help");
    assertThat(TOOL.usage().lines()).allSatisfy(line -> assertThat(line).hasSizeLessThan(101));
  }

  @Test
  void aFlagDefinedTwiceIsABug() {
    assertThatThrownBy(
            () ->
                new CommandLine(
                    "usage: x", List.of(Flag.toggle("a", "one"), Flag.toggle("a", "two"))))
        .hasMessageContaining("--a is defined twice");
  }
}
