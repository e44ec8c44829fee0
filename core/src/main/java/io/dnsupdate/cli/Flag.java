package io.dnsupdate.cli;

import java.util.Objects;

/**
 * One command-line flag: {@code --name VALUE} (or {@code --name=VALUE}), else the environment
 * variable, else the default. A toggle ({@code --keep}) takes no value and is off unless given.
 *
 * @param name the flag without its dashes, e.g. {@code http-port}
 * @param valueName what the value is, for the usage text (e.g. {@code PORT}); null for a toggle
 * @param env the environment variable read when the flag is absent; null for none
 * @param defaultValue the value when neither is set; null for none
 * @param help one line saying what it does
 */
public record Flag(String name, String valueName, String env, String defaultValue, String help) {
  public Flag {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(help, "help");
  }

  /** A flag that takes a value. */
  public static Flag of(
      String name, String valueName, String env, String defaultValue, String help) {
    return new Flag(name, Objects.requireNonNull(valueName, "valueName"), env, defaultValue, help);
  }

  /** A flag without a value: on when given. */
  public static Flag toggle(String name, String help) {
    return new Flag(name, null, null, null, help);
  }

  public boolean takesValue() {
    return valueName != null;
  }
}
