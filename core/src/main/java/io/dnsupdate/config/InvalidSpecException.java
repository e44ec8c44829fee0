package io.dnsupdate.config;

import java.util.List;

/**
 * A custom resource spec that cannot be used. The message lists every problem, each prefixed with
 * the field it concerns, so a user can fix them all at once.
 */
public class InvalidSpecException extends IllegalArgumentException {
  /** The CamelCase reason for a {@code Ready=False} condition. */
  public static final String REASON = "InvalidSpec";

  private final List<String> problems;

  public InvalidSpecException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** One entry per problem, e.g. {@code "ttl: 0 is outside 1-86400"}. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("an invalid spec has at least one problem");
    }
    return (problems.size() == 1
            ? "invalid spec: "
            : "invalid spec (" + problems.size() + " problems): ")
        + String.join("; ", problems);
  }
}
