package io.dnsupdate.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * DNS name syntax, checked in this one place for an issuer's allowed domains ({@link DomainPolicy})
 * and the challenge names cert-manager asks the webhook to write: at most {@value #MAX_NAME}
 * characters without the trailing dot, labels of 1 to {@value #MAX_LABEL} characters made of
 * letters, digits and inner hyphens (RFC 1035 §2.3.1) or, where {@link Labels#UNDERSCORE} allows
 * them (RFC 8552 names such as {@code _acme-challenge}), underscores too. Callers word the problem
 * for their own field.
 */
public final class DnsNames {
  /** Longest name, in characters without the trailing dot. */
  public static final int MAX_NAME = 253;

  /** Longest label. */
  public static final int MAX_LABEL = 63;

  private DnsNames() {}

  /** Which characters a label may hold. */
  public enum Labels {
    /** Letters, digits and inner hyphens: a host or domain name. */
    LDH("^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$"),
    /** Letters, digits, inner hyphens and underscores anywhere: a challenge name. */
    UNDERSCORE("^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$");

    private final Pattern pattern;

    Labels(String regex) {
      this.pattern = Pattern.compile(regex);
    }

    /** True for a label of 1 to {@value #MAX_LABEL} allowed characters. */
    public boolean matches(String label) {
      return label.length() <= MAX_LABEL && pattern.matcher(label).matches();
    }
  }

  /** What is wrong with a name. */
  public enum Problem {
    /** Nothing but the root: an empty name or ".". */
    ROOT,
    /** Longer than {@value #MAX_NAME} characters. */
    TOO_LONG,
    /** Two dots in a row, or a leading dot. */
    EMPTY_LABEL,
    /** A label longer than {@value #MAX_LABEL} characters. */
    LONG_LABEL,
    /** A label with characters its {@link Labels} do not allow. */
    BAD_LABEL
  }

  /** The first problem of a name, with the label it is in (or ""). */
  public record Violation(Problem problem, String label) {}

  /**
   * The first syntax problem of a name in presentation form, or empty when there is none.
   *
   * @param name the name without its trailing dot (a second one is an empty label)
   */
  public static Optional<Violation> check(String name, Labels labels) {
    if (name.isEmpty()) {
      return violation(Problem.ROOT, "");
    }
    if (name.length() > MAX_NAME) {
      return violation(Problem.TOO_LONG, "");
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty()) {
        return violation(Problem.EMPTY_LABEL, label);
      }
      if (label.length() > MAX_LABEL) {
        return violation(Problem.LONG_LABEL, label);
      }
      if (!labels.matches(label)) {
        return violation(Problem.BAD_LABEL, label);
      }
    }
    return Optional.empty();
  }

  private static Optional<Violation> violation(Problem problem, String label) {
    return Optional.of(new Violation(problem, label));
  }
}
