package io.dnsupdate.config;

import io.dnsupdate.text.LogSafe;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Which challenge names an issuer may write: {@code _acme-challenge.D} (and dns-account-01's {@code
 * _LABEL._acme-challenge.D}) where D equals or lies below one of the allowed domains, compared by
 * whole labels and without regard to case. {@code notexample.com} is not below {@code example.com}.
 */
public final class DomainPolicy {
  /** The label that starts every dns-01 challenge name (RFC 8555 §8.4). */
  public static final String CHALLENGE_LABEL = "_acme-challenge";

  private static final Name CHALLENGE = Name.fromConstantString(CHALLENGE_LABEL);

  private final List<Name> domains;

  private DomainPolicy(List<Name> domains) {
    this.domains = domains;
  }

  /**
   * Builds the policy from an issuer's {@code domains}.
   *
   * @throws IllegalArgumentException listing every invalid entry, or when there is none
   */
  public static DomainPolicy of(Collection<String> domains) {
    if (domains == null || domains.isEmpty()) {
      throw new IllegalArgumentException(
          "no domains are allowed: list at least one, e.g. example.com");
    }
    TreeSet<Name> names = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    int i = 0;
    for (String d : domains) {
      try {
        names.add(validateDomain(d));
      } catch (IllegalArgumentException e) {
        problems.add("domains[" + i + "]: " + e.getMessage());
      }
      i++;
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new DomainPolicy(List.copyOf(names));
  }

  /**
   * Checks one allowed-domain entry and returns it as an absolute lower-case name.
   *
   * @throws IllegalArgumentException saying what is wrong and how to write it
   */
  public static Name validateDomain(String domain) {
    if (domain == null || domain.isBlank()) {
      throw new IllegalArgumentException("domain is empty");
    }
    String d = domain.strip();
    String shown = LogSafe.inMessage(domain);
    if (d.contains("*")) {
      throw new IllegalArgumentException(
          "'"
              + shown
              + "' has a wildcard; list the domain itself (a certificate for *.example.com is"
              + " validated at _acme-challenge.example.com, allowed by example.com)");
    }
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    Optional<DnsNames.Violation> problem = DnsNames.check(d, DnsNames.Labels.LDH);
    if (problem.isPresent()) {
      throw new IllegalArgumentException("'" + shown + "'" + describe(problem.get(), d));
    }
    Name name;
    try {
      name = Name.fromString(d.toLowerCase(Locale.ROOT) + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("'" + shown + "' is not a domain name");
    }
    if (d.length() + CHALLENGE_LABEL.length() + 1 > DnsNames.MAX_NAME) {
      throw new IllegalArgumentException(
          "'"
              + shown
              + "' is too long: "
              + CHALLENGE_LABEL
              + ".'"
              + LogSafe.inMessage(d)
              + "' would exceed the "
              + DnsNames.MAX_NAME
              + " characters a DNS name may have");
    }
    return name;
  }

  /** What is wrong with domain {@code d}, said after the quoted entry. */
  private static String describe(DnsNames.Violation v, String d) {
    String label = LogSafe.inMessage(v.label());
    return switch (v.problem()) {
      case ROOT -> " is the DNS root, not a domain";
      case TOO_LONG ->
          " is " + d.length() + " characters long; at most " + DnsNames.MAX_NAME + " are allowed";
      case EMPTY_LABEL -> " has an empty label (two dots)";
      case LONG_LABEL ->
          " has a label longer than " + DnsNames.MAX_LABEL + " characters: '" + label + "'";
      case BAD_LABEL ->
          label.startsWith("_")
              ? " has the underscore label '"
                  + label
                  + "'; list the domain the certificate is for (example.com), the "
                  + CHALLENGE_LABEL
                  + " name is derived from it"
              : " has the label '"
                  + label
                  + "'; labels hold letters, digits and inner hyphens only";
    };
  }

  /** The allowed domains, absolute and lower case, in DNS canonical order. */
  public List<Name> domains() {
    return domains;
  }

  /**
   * True when {@code fqdn} is a challenge name for an allowed domain or one below it: {@code
   * _acme-challenge.D.} or {@code _LABEL._acme-challenge.D.}, with D made of LDH labels.
   */
  public boolean allows(Name fqdn) {
    return allowedDomainFor(fqdn).isPresent();
  }

  /** {@link #allows(Name)} for text; a name that does not parse is not allowed. */
  public boolean allows(String fqdn) {
    if (fqdn == null || fqdn.isBlank()) {
      return false;
    }
    try {
      return allows(Name.fromString(fqdn.strip(), Name.root));
    } catch (TextParseException e) {
      return false;
    }
  }

  /** The allowed domain that covers a challenge name, the most specific one when several do. */
  public Optional<Name> allowedDomainFor(Name fqdn) {
    if (fqdn == null) {
      return Optional.empty();
    }
    Name name = fqdn.isAbsolute() ? fqdn : absolute(fqdn);
    if (name == null) {
      return Optional.empty();
    }
    int skip;
    if (isChallengeLabel(name, 0)) {
      skip = 1;
    } else if (name.labels() > 2
        && isAccountLabel(name.getLabelString(0))
        && isChallengeLabel(name, 1)) {
      skip = 2;
    } else {
      return Optional.empty();
    }
    // labels() counts the root label too
    if (name.labels() - skip < 2) {
      return Optional.empty();
    }
    Name rest = new Name(name, skip);
    for (int i = 0; i < rest.labels() - 1; i++) {
      if (!DnsNames.Labels.LDH.matches(rest.getLabelString(i))) {
        return Optional.empty();
      }
    }
    Name best = null;
    for (Name d : domains) {
      if (rest.subdomain(d) && (best == null || d.labels() > best.labels())) {
        best = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The {@code _acme-challenge.D.} name of every allowed domain, in DNS canonical order: the names
   * to grant a key in the nameserver's update policy.
   */
  public List<Name> challengeNames() {
    List<Name> out = new ArrayList<>(domains.size());
    for (Name d : domains) {
      out.add(challengeName(d));
    }
    return List.copyOf(new TreeSet<>(out));
  }

  /** {@code _acme-challenge.} + domain. */
  public static Name challengeName(Name domain) {
    try {
      return Name.concatenate(CHALLENGE, domain.isAbsolute() ? domain : absolute(domain));
    } catch (org.xbill.DNS.NameTooLongException e) {
      throw new IllegalArgumentException(
          "_acme-challenge." + domain + " is longer than a DNS name may be");
    }
  }

  /** dns-account-01's {@code _LABEL}: an underscore, then an LDH label. */
  private static boolean isAccountLabel(String label) {
    return label.startsWith("_")
        && label.length() <= DnsNames.MAX_LABEL
        && DnsNames.Labels.LDH.matches(label.substring(1));
  }

  private static boolean isChallengeLabel(Name name, int index) {
    return name.labels() > index && name.getLabelString(index).equalsIgnoreCase(CHALLENGE_LABEL);
  }

  private static Name absolute(Name relative) {
    try {
      return Name.concatenate(relative, Name.root);
    } catch (org.xbill.DNS.NameTooLongException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DomainPolicy other && domains.equals(other.domains);
  }

  @Override
  public int hashCode() {
    return domains.hashCode();
  }

  @Override
  public String toString() {
    return "DomainPolicy" + domains;
  }
}
