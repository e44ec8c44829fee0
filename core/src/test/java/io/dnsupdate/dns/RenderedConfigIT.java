package io.dnsupdate.dns;

import static io.dnsupdate.dns.EngineFixture.name;
import static io.dnsupdate.dns.EngineFixture.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dnsupdate.config.DomainPolicy;
import io.dnsupdate.config.KnotConfigRenderer;
import io.dnsupdate.config.NameserverConfig;
import io.dnsupdate.testkit.AuthoritativeServer;
import io.dnsupdate.testkit.CommandResult;
import io.dnsupdate.testkit.KnotServer;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.PowerDnsServer;
import io.dnsupdate.testkit.StandardZones;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Update;

/**
 * The least-privilege claim, on BIND, Knot DNS and PowerDNS: each server loads exactly the text the
 * operator renders for a key used by an issuer with domains example.test and a.b.example.test, and
 * then takes TXT changes at those two challenge names and nothing else. What a server answers to a
 * change it refuses differs (BIND: REFUSED; Knot: NOTAUTH with TSIG error BADKEY; PowerDNS with its
 * Lua policy: NOERROR, and the change is not made); what the zone holds afterwards is asserted on
 * every server.
 */
class RenderedConfigIT {
  static final Name ZONE = name("example.test.");
  static final List<Name> GRANTED =
      DomainPolicy.of(List.of("example.test", "a.b.example.test")).challengeNames();

  private static final List<Target> STARTED = new java.util.ArrayList<>();

  @AfterAll
  static void stopAll() {
    STARTED.forEach(Target::close);
  }

  static Stream<Arguments> servers() {
    return Stream.of(
        Arguments.of(Named.of("BIND", (Supplier<Target>) () -> shared(new Bind()))),
        Arguments.of(Named.of("Knot DNS", (Supplier<Target>) () -> shared(new Knot()))),
        Arguments.of(Named.of("PowerDNS", (Supplier<Target>) () -> shared(new PowerDns()))));
  }

  private static synchronized Target shared(Target fresh) {
    for (Target t : STARTED) {
      if (t.getClass() == fresh.getClass()) {
        return t;
      }
    }
    fresh.start();
    STARTED.add(fresh);
    try {
      fresh.load(fresh.render());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return fresh;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void txtAtBothGrantedNamesIsAddedAndDeleted(Supplier<Target> target) throws Exception {
    Target t = target.get();
    DnsUpdateClient dns = t.client(t.key);
    for (Name granted : GRANTED) {
      String value = token();
      dns.addTxt(ZONE, granted, value, 60);
      assertThat(t.server().txt(granted.toString())).contains(value);
      dns.deleteTxt(ZONE, granted, value);
      assertThat(t.server().txt(granted.toString())).doesNotContain(value);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void anAddReportsTheSerialThatHoldsIt(Supplier<Target> target) throws Exception {
    Target t = target.get();
    DnsUpdateClient dns = t.client(t.key);
    String value = token();

    UpdateResult added = dns.addTxt(ZONE, GRANTED.get(0), value, 60);
    UpdateResult deleted = dns.deleteTxt(ZONE, GRANTED.get(0), value);

    // all three move the serial with every update (PowerDNS: SOA-EDIT-DNSUPDATE DEFAULT)
    long served = new DnsQuery(dns.endpoint(), null, null).soaSerial(ZONE).orElseThrow();
    assertThat(added.serial()).isPresent();
    assertThat(SoaSerial.later(served, added.serial().getAsLong()))
        .as("the delete moved the serial past the add's")
        .isTrue();
    assertThat(deleted.serial()).as("deletes need no propagation check").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void everythingElseIsRefusedAndNothingIsWritten(Supplier<Target> target) throws Exception {
    Target t = target.get();
    DnsUpdateClient dns = t.client(t.key);
    List<String> before = t.server().recordStrings(ZONE.toString());

    for (String outside :
        List.of(
            "www.example.test.",
            "_acme-challenge.other.example.test.",
            "_acme-challenge.b.example.test.",
            "_acme-challenge.x.a.b.example.test.")) {
      DnsUpdateException e =
          catchThrowableOfType(
              DnsUpdateException.class, () -> dns.addTxt(ZONE, name(outside), "nope", 60));
      assertThat(e).as(outside).isNotNull();
      assertThat(e.reason()).as(outside).isEqualTo(t.refusal());
    }
    // an A record at a granted name, and deleting www's A record: not TXT
    Update a = new Update(ZONE);
    a.add(
        new ARecord(
            GRANTED.get(0), DClass.IN, 60, InetAddress.getByAddress(new byte[] {127, 0, 0, 9})));
    Update deleteWww = new Update(ZONE);
    deleteWww.delete(name("www.example.test."), org.xbill.DNS.Type.A);
    for (Update u : List.of(a, deleteWww)) {
      DnsUpdateException e =
          catchThrowableOfType(
              DnsUpdateException.class, () -> dns.send(ZONE, u, List.of(GRANTED.get(0)), 1));
      if (t.refusesWithNoerror()) {
        assertThat(e).isNull();
      } else {
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(t.refusal());
      }
    }
    assertThat(t.server().recordStrings(ZONE.toString())).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void aRotatedSecretLoadedByRunningTheRenderedTextAgainReplacesTheOld(Supplier<Target> unused)
      throws Exception {
    // its own server: the shared ones keep their key
    Target t = unused.get().fresh();
    try {
      t.start();
      t.load(t.render());
      t.load(t.render()); // loading the same text twice changes nothing
      t.assertLoadedOnce();
      TsigCredentials old = t.key;
      t.key =
          TsigCredentials.generate(old.keyName().toString(), old.algorithm(), new SecureRandom());
      t.load(t.render());
      t.assertLoadedOnce();

      String value = token();
      t.client(t.key).addTxt(ZONE, GRANTED.get(1), value, 60);
      assertThat(t.server().txt(GRANTED.get(1).toString())).containsExactly(value);
      assertThatThrownBy(() -> t.client(old).addTxt(ZONE, GRANTED.get(1), "old", 60))
          .isInstanceOfSatisfying(
              DnsUpdateException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.KeyRejected));
      assertThat(t.server().txt(GRANTED.get(1).toString())).containsExactly(value);
    } finally {
      t.close();
    }
  }

  /** A server under test with the rendered configuration of {@link #key} loaded. */
  abstract static class Target implements AutoCloseable {
    TsigCredentials key =
        TsigCredentials.generate(
            "web.team-a.dnsupdate.io", TsigAlgorithm.HMAC_SHA256, new SecureRandom());
    Path dir;

    abstract AuthoritativeServer server();

    abstract void start();

    /** Loads the rendered text as the docs say (again on rotation). */
    abstract void load(NameserverConfig config) throws IOException;

    /** The reason an update outside the grants fails with, as the engine reports it. */
    abstract FailureReason refusal();

    /** Whether the server answers an update it refuses with NOERROR (and does not make it). */
    boolean refusesWithNoerror() {
      return false;
    }

    /** Nothing the server holds of the key is there twice. */
    void assertLoadedOnce() {}

    abstract Target fresh();

    NameserverConfig render() {
      return NameserverConfig.render(key, GRANTED, List.of(ZONE));
    }

    DnsUpdateClient client(TsigCredentials credentials) {
      return new DnsUpdateClient(
          ServerEndpoint.tcp("127.0.0.1:" + server().port()), credentials, Clock.systemUTC());
    }

    Path file(String name, String text) throws IOException {
      if (dir == null) {
        dir = Files.createTempDirectory("rendered-");
      }
      return Files.writeString(dir.resolve(name), text);
    }

    @Override
    public void close() {
      server().close();
      io.dnsupdate.testkit.Commands.deleteTree(dir);
    }
  }

  static final class Bind extends Target {
    NamedServer named;
    boolean loaded;

    @Override
    AuthoritativeServer server() {
      return named;
    }

    @Override
    void start() {
      named =
          NamedServer.builder()
              .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords(), List.of())
              .start();
    }

    @Override
    void load(NameserverConfig config) throws IOException {
      Path keyClause = file("key.conf", config.namedConf());
      Path policy = file("policy.conf", "update-policy {\n" + config.updatePolicy() + "};\n");
      if (!loaded) {
        named.addInclude(keyClause).addZoneInclude(StandardZones.EXAMPLE, policy);
        loaded = true;
      }
      named.reconfig();
    }

    @Override
    FailureReason refusal() {
      return FailureReason.UpdateRefused;
    }

    @Override
    Target fresh() {
      return new Bind();
    }
  }

  static final class Knot extends Target {
    KnotServer knot;
    boolean loaded;

    @Override
    AuthoritativeServer server() {
      return knot;
    }

    @Override
    void start() {
      knot =
          KnotServer.builder()
              .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
              .start();
    }

    @Override
    void load(NameserverConfig config) throws IOException {
      // the zone lines at the end, uncommented, are what Knot 3.2 accepts as written
      String zoneLines =
          config
              .knotConf()
              .lines()
              .dropWhile(l -> !l.equals("#zone:"))
              .map(l -> l.substring(1))
              .collect(Collectors.joining("\n"));
      assertThat(zoneLines)
          .isEqualTo(
              "zone:\n  - domain: example.test.\n    acl: [ "
                  + KnotConfigRenderer.aclId(key.keyName())
                  + " ]");
      Path snippet = file("dnsupdate.conf", config.knotConf());
      if (!loaded) {
        CommandResult check = knot.checkConfig("include: \"" + snippet + "\"\n" + zoneLines);
        assertThat(check.ok()).as(check.output()).isTrue();
        knot.addInclude(snippet)
            .addZoneAcl(StandardZones.EXAMPLE, KnotConfigRenderer.aclId(key.keyName()));
        loaded = true;
      }
      knot.reload();
    }

    @Override
    FailureReason refusal() {
      // Knot answers an update its acl does not allow with NOTAUTH and TSIG error BADKEY
      return FailureReason.KeyRejected;
    }

    @Override
    Target fresh() {
      return new Knot();
    }
  }

  static final class PowerDns extends Target {
    PowerDnsServer pdns;

    @Override
    AuthoritativeServer server() {
      return pdns;
    }

    @Override
    void start() {
      pdns =
          PowerDnsServer.builder()
              .primaryZone(StandardZones.EXAMPLE, StandardZones.exampleRecords())
              .start();
    }

    @Override
    void load(NameserverConfig config) {
      assertThat(pdns.runCommands(config.powerDns())).isEqualTo(2);
      pdns.installPolicy(config.powerDnsPolicy());
    }

    @Override
    FailureReason refusal() {
      return FailureReason.UpdateNotApplied;
    }

    @Override
    boolean refusesWithNoerror() {
      return true;
    }

    @Override
    void assertLoadedOnce() {
      assertThat(pdns.tsigKeys()).containsExactly("web.team-a.dnsupdate.io hmac-sha256");
      assertThat(pdns.metadata(StandardZones.EXAMPLE, "TSIG-ALLOW-DNSUPDATE"))
          .containsExactly("web.team-a.dnsupdate.io.");
    }

    @Override
    Target fresh() {
      return new PowerDns();
    }
  }
}
