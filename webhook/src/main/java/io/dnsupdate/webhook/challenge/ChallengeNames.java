package io.dnsupdate.webhook.challenge;

import io.dnsupdate.config.DnsNames;
import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.text.LogSafe;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Checks what a ChallengePayload asks to write before anything is looked up or sent: the TXT value
 * must be one printable TXT string, and the challenge name must be a valid DNS name.
 */
public final class ChallengeNames {
  /**
   * One TXT character-string (at most 255 octets) of visible ASCII: an RFC 8555 §8.4 value is 43
   * base64url characters, but cert-manager's own conformance suite writes other values ("123d==",
   * "anothertestingkey") and every solver is expected to store what it is given. What matters is
   * that the value cannot break out of its string (no quotes, backslashes, spaces or control
   * characters) and fits one.
   */
  private static final Pattern KEY = Pattern.compile("^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}$");

  private static final int MAX_KEY = 255;

  private ChallengeNames() {}

  /**
   * Checks the TXT value.
   *
   * @throws SolverFailure InvalidChallenge, saying what a dns-01 value looks like
   */
  public static void requireDns01Key(String key) throws SolverFailure {
    if (key == null || key.isEmpty()) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.key is empty: there is no TXT value to write");
    }
    if (!KEY.matcher(key).matches()) {
      throw new SolverFailure(
          SolverFailure.Reason.InvalidChallenge,
          "request.key is not a TXT value this solver writes: expected 1 to "
              + MAX_KEY
              + " visible ASCII characters without quotes, backslashes or spaces (a dns-01 value"
              + " is 43 base64url characters, RFC 8555 section 8.4), got "
              + key.length()
              + " character(s)"
              + (key.length() > MAX_KEY ? "" : " including other characters"));
    }
  }

  /**
   * The name to write: {@code resolvedFQDN}, or {@code _acme-challenge.<dnsName>.} when
   * cert-manager sent none; absolute and lower case.
   *
   * @throws SolverFailure InvalidChallenge when the name is empty, too long or has a bad label
   */
  public static Name challengeName(ChallengeRequest r) throws SolverFailure {
    String text = r.resolvedFqdn().strip();
    String field = "request.resolvedFQDN";
    if (text.isEmpty()) {
      String domain = r.dnsName().strip();
      if (domain.startsWith("*.")) {
        domain = domain.substring(2);
      }
      if (domain.isEmpty()) {
        throw new SolverFailure(
            SolverFailure.Reason.InvalidChallenge,
            "request.resolvedFQDN and request.dnsName are both empty: no name to write the TXT"
                + " record at");
      }
      text = DomainPolicy.CHALLENGE_LABEL + "." + domain;
      field = "request.dnsName";
    }
    return parse(text, field);
  }

  private static Name parse(String text, String field) throws SolverFailure {
    String t = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    String shown = LogSafe.of(t);
    // underscores anywhere: challenge labels start with one
    Optional<DnsNames.Violation> problem = DnsNames.check(t, DnsNames.Labels.UNDERSCORE);
    if (problem.isPresent()) {
      throw invalid(field, describe(problem.get(), t, shown));
    }
    try {
      return Name.fromString(t.toLowerCase(Locale.ROOT) + ".");
    } catch (TextParseException e) {
      throw invalid(field, "'" + shown + "' is not a DNS name: " + e.getMessage());
    }
  }

  private static String describe(DnsNames.Violation v, String t, String shown) {
    return switch (v.problem()) {
      case ROOT -> "the name is the DNS root";
      case TOO_LONG ->
          "'"
              + shown
              + "' is "
              + t.length()
              + " characters long; a DNS name has at most "
              + DnsNames.MAX_NAME;
      case EMPTY_LABEL -> "'" + shown + "' has an empty label (two dots in a row)";
      case LONG_LABEL ->
          "'"
              + shown
              + "' has a label of "
              + v.label().length()
              + " characters; at most "
              + DnsNames.MAX_LABEL
              + " are allowed";
      case BAD_LABEL ->
          "'"
              + shown
              + "' has a label with characters other than letters, digits, inner hyphens and"
              + " underscores";
    };
  }

  private static SolverFailure invalid(String field, String what) {
    return new SolverFailure(SolverFailure.Reason.InvalidChallenge, field + ": " + what);
  }
}
