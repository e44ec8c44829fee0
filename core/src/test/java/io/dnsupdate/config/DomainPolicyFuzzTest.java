package io.dnsupdate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dnsupdate.testkit.FuzzChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Fuzzes an issuer's allowed domains and the challenge names checked against them: a bad domain is
 * an IllegalArgumentException with a printable message, a name is allowed only by whole labels
 * below an allowed domain, and nothing else is ever thrown.
 */
class DomainPolicyFuzzTest {
  @FuzzTest
  void domainsAndChallengeNames(FuzzedDataProvider data) throws TextParseException {
    List<String> domains = new ArrayList<>();
    int count = data.consumeInt(0, 4);
    for (int i = 0; i < count; i++) {
      domains.add(data.consumeString(300));
    }
    String fqdn = data.consumeRemainingAsString();

    for (DnsNames.Labels labels : DnsNames.Labels.values()) {
      DnsNames.check(fqdn, labels);
    }
    DomainPolicy policy;
    try {
      policy = DomainPolicy.of(domains);
    } catch (IllegalArgumentException e) {
      assertEquals(IllegalArgumentException.class, e.getClass());
      FuzzChecks.requireCleanMessage(e);
      return;
    }
    assertTrue(!policy.domains().isEmpty());
    for (Name d : policy.domains()) {
      assertTrue(d.isAbsolute());
      assertEquals(d.toString().toLowerCase(Locale.ROOT), d.toString());
      assertTrue(policy.allows(DomainPolicy.challengeName(d)), d.toString());
    }
    policy.challengeNames();

    if (!policy.allows(fqdn)) {
      return;
    }
    Name name = Name.fromString(fqdn.strip(), Name.root);
    Optional<Name> domain = policy.allowedDomainFor(name);
    assertTrue(domain.isPresent());
    assertTrue(name.subdomain(domain.get()));
    // whole labels: the text below the domain ends at a label boundary
    String lower = name.toString().toLowerCase(Locale.ROOT);
    assertTrue(lower.endsWith("." + domain.get()), lower + " under " + domain.get());
    assertTrue(
        name.getLabelString(0).equalsIgnoreCase(DomainPolicy.CHALLENGE_LABEL)
            || name.getLabelString(1).equalsIgnoreCase(DomainPolicy.CHALLENGE_LABEL),
        lower);
  }
}
