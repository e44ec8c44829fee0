package io.dnsupdate.dns.gss;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class Krb5ConfigurationTest {

  @Test
  void aRealmKeepsEveryKdcGivenForItSoTwoIssuersDoNotRewriteItInTurn() throws Exception {
    String realm = "UNION-" + System.nanoTime() + ".TEST";

    assertThat(Krb5Configuration.use(realm, List.of("kdc1.example.test:88"))).isTrue();
    assertThat(Krb5Configuration.use(realm, List.of("kdc2.example.test:88"))).isTrue();
    // neither list is news any more: the JDK need not reread the file
    assertThat(Krb5Configuration.use(realm, List.of("kdc1.example.test:88"))).isFalse();
    assertThat(Krb5Configuration.use(realm, List.of("kdc2.example.test:88"))).isFalse();

    String conf = Files.readString(Path.of(System.getProperty(Krb5Configuration.PROPERTY)));
    assertThat(conf)
        .contains(
            " " + realm + " = {\n  kdc = kdc1.example.test:88\n  kdc = kdc2.example.test:88\n }");
  }
}
