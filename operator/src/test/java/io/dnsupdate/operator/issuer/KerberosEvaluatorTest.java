package io.dnsupdate.operator.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What keeps a failing Kerberos issuer's message the same from probe to probe. */
class KerberosEvaluatorTest {
  @Test
  void theRandomLabelOfAContextNameIsLeftOut() {
    String first =
        "nameserver 127.0.0.1:53 (tcp) rejected the signature of context"
            + " 3f9a0c1d2e4b5a69.sig-ns1.example.test. (NOERROR, TSIG error BADTIME)";
    String second = first.replace("3f9a0c1d2e4b5a69", "00aa11bb22cc33dd");

    assertThat(KerberosEvaluator.withoutContextNames(first))
        .isEqualTo(KerberosEvaluator.withoutContextNames(second))
        .contains("context <random>.sig-ns1.example.test.");
    // a host name that merely ends in "sig-" keeps its label
    assertThat(KerberosEvaluator.withoutContextNames("host mysig-ns.example.test."))
        .isEqualTo("host mysig-ns.example.test.");
  }
}
