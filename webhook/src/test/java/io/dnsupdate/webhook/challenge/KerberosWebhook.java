package io.dnsupdate.webhook.challenge;

import static io.dnsupdate.webhook.WebhookFixture.json;
import static io.dnsupdate.webhook.WebhookFixture.payload;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.testkit.KerberosKdc;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.StandardZones;
import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * A webhook (debug logging, batch window) with a real MIT KDC and a BIND that accepts GSS-TSIG
 * ({@link StandardZones#gssPrimaryBuilder}), keytab Secrets and Kerberos issuers in one namespace,
 * and every log line captured.
 */
final class KerberosWebhook implements AutoCloseable {
  static final String NS = "kerberos";
  static final String GRANTED = KerberosKdc.GSS_CHALLENGE_NAME;

  private static final Pattern NEGOTIATED =
      Pattern.compile("negotiated GSS-TSIG context (\\S+) with");

  final KerberosKdc kdc;
  final NamedServer named;
  final WebhookFixture fixture;
  final FrontProxyClient certManager;
  final String keytabBase64;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Level level;

  KerberosWebhook() {
    logs.start();
    root().addAppender(logs);
    level = ours().getLevel();
    kdc = KerberosKdc.startStandard();
    named = StandardZones.gssPrimaryBuilder(kdc).start();
    keytabBase64 = Base64.getEncoder().encodeToString(kdc.keytabBytes(KerberosKdc.ACME));
    // debug: those lines too must be free of key material
    fixture = WebhookFixture.start(List.of("--batch-window=100ms", "--log-level=debug"));
    certManager = fixture.certManager();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static Logger ours() {
    return (Logger) LoggerFactory.getLogger("io.dnsupdate");
  }

  /** A keytab Secret with {@code bytes} in data key "keytab"; a new revision is a new version. */
  Secret keytabSecret(String name, byte[] bytes, String revision) {
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(name)
            .addToLabels("revision", revision)
            .endMetadata()
            .withType("Opaque")
            .addToData("keytab", Base64.getEncoder().encodeToString(bytes))
            .build();
    return fixture.api.client().resource(s).createOr(NonDeletingOperation::update);
  }

  /** A Kerberos issuer spec for the GSS primary, propagation not verified. */
  DnsUpdateIssuerSpec spec(String principal, String secret, String... domains) {
    DnsUpdateIssuerSpec spec = WebhookFixture.spec(named, "unused", domains);
    spec.setTsigKeyRef(null);
    DnsUpdateIssuerSpec.Kerberos k = new DnsUpdateIssuerSpec.Kerberos();
    k.setPrincipal(principal);
    k.setKdcs(List.of(kdc.kdcAddress()));
    k.setKeytabSecretRef(new DnsUpdateIssuerSpec.KeytabSecretRef(secret, "keytab"));
    // the nameserver is 127.0.0.1:port: its principal cannot come from its name
    k.setServicePrincipal(kdc.principal(KerberosKdc.DNS_SERVICE));
    spec.setKerberos(k);
    return spec;
  }

  /** A Ready issuer with principal {@code principal} and keytab Secret {@code secret}. */
  void issuer(String name, String principal, String secret, String... domains) {
    fixture.createIssuer(NS, name, spec(principal, secret, domains));
  }

  /** An issuer of principal acme with a keytab Secret of its own. */
  void acmeIssuer(String name, String... domains) {
    keytabSecret(name + "-keytab", kdc.keytabBytes(KerberosKdc.ACME), "1");
    issuer(name, kdc.principal(KerberosKdc.ACME), name + "-keytab", domains);
  }

  /** Posts a challenge; the answer never holds the keytab. */
  JsonNode post(String action, String issuer, String fqdn, String value) {
    FrontProxyClient.Response r =
        certManager.postChallenge(payload(action, NS, issuer, fqdn, value));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.body()).doesNotContain(keytabBase64);
    return json(r.body()).get("response");
  }

  static void succeeds(JsonNode response) {
    assertThat(response.get("success").asBoolean()).as(response.toString()).isTrue();
  }

  /** Asserts a failure with this reason; returns its message. */
  static String fails(JsonNode response, String reason) {
    assertThat(response.get("success").asBoolean()).as(response.toString()).isFalse();
    assertThat(response.get("status").get("reason").asText())
        .as(response.toString())
        .isEqualTo(reason);
    return response.get("status").get("message").asText();
  }

  long logins(String outcome) {
    return fixture.webhook.metrics().kerberosLogins(outcome);
  }

  /**
   * The GSS-TSIG contexts negotiated so far, as the engine logs them. (named logs no TKEY at its
   * default severity, and rndc tsig-list and tsig-delete did not see contexts named had just
   * verified UPDATEs with once there were several: not a reliable witness.)
   */
  List<String> negotiated() {
    List<String> names = new ArrayList<>();
    for (String line : lines()) {
      Matcher m = NEGOTIATED.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  List<String> negotiatedSince(List<String> before) {
    List<String> now = new ArrayList<>(negotiated());
    now.removeAll(before);
    return now;
  }

  /** Every captured log line, with the messages of its exception and their causes. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      lines.add(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(String.valueOf(t.getMessage()));
      }
    }
    return lines;
  }

  /** No captured line holds the keytab's base64 text, whole or any 24-character stretch of it. */
  void assertNoKeytabLogged() {
    List<String> lines = lines();
    assertThat(lines).anyMatch(l -> l.contains("Kerberos login as"));
    assertThat(List.copyOf(logs.list))
        .as("debug lines were captured too")
        .anyMatch(e -> e.getLevel() == Level.DEBUG);
    for (String line : lines) {
      for (int i = 0; i + 24 <= keytabBase64.length(); i += 12) {
        assertThat(line).doesNotContain(keytabBase64.substring(i, i + 24));
      }
    }
  }

  @Override
  public void close() {
    try {
      fixture.close();
      named.close();
      kdc.close();
    } finally {
      root().detachAppender(logs);
      ours().setLevel(level);
    }
  }
}
