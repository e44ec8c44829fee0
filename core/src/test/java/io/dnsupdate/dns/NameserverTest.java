package io.dnsupdate.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameserverTest {
  @ParameterizedTest
  @CsvSource({
    "ns1.example.com, ns1.example.com, , 53",
    "NS1.Example.com:5353, ns1.example.com, 5353, 5353",
    "127.0.0.1:53, 127.0.0.1, 53, 53",
    "[2001:db8::1]:853, 2001:db8::1, 853, 853",
    "2001:db8::1, 2001:db8::1, , 53",
  })
  void parses(String text, String host, Integer port, int tcpPort) {
    Nameserver ns = Nameserver.parse(text);

    assertThat(ns.host()).isEqualTo(host);
    assertThat(ns.port()).isEqualTo(port);
    assertThat(ns.portOr(Transport.TCP)).isEqualTo(tcpPort);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ns1.example.com:0 | port '0'",
        "ns1.example.com:99999 | port '99999'",
        "ns1.example.com:dns | port 'dns'",
        "bad_host!:53 | not a host name",
        "[2001:db8::1 | missing ']'",
        "' ' | empty",
      })
  void refusesWithTheBadPartNamed(String text, String expected) {
    assertThatThrownBy(() -> Nameserver.parse(text)).hasMessageContaining(expected);
  }

  @ParameterizedTest
  @CsvSource({"tcp, 53", "udp, 53", "tls, 853"})
  void transportDefaultsThePort(String transport, int port) {
    assertThat(Nameserver.parse("ns.example").portOr(Transport.parse(transport))).isEqualTo(port);
  }
}
