package io.dnsupdate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A throwaway MIT Kerberos KDC ({@code krb5kdc -n}) on 127.0.0.1 with a free port, its database,
 * {@code kdc.conf} and {@code krb5.conf} in its own temp dir. The tools (kdb5_util, kadmin.local,
 * krb5kdc, kinit) get {@code KRB5_CONFIG}/{@code KRB5_KDC_PROFILE} in their own environment only:
 * nothing reads or writes {@code /etc/krb5.conf}, and the test JVM's environment is untouched.
 */
public final class KerberosKdc implements AutoCloseable {

  /** The realm of the standard fixture. */
  public static final String REALM = "EXAMPLE.TEST";

  /** Service principal of ns1.example.test (the SOA MNAME of the standard zone), without realm. */
  public static final String DNS_SERVICE = "DNS/ns1.example.test";

  /** The client the standard GSS grant allows to put TXT at {@link #GSS_CHALLENGE_NAME}. */
  public static final String ACME = "acme";

  /** A client with a valid keytab and no grant at all. */
  public static final String OTHER = "other";

  /** The one name {@link #ACME} may put TXT records at (see {@link StandardZones}). */
  public static final String GSS_CHALLENGE_NAME = "_acme-challenge.www.example.test.";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 3;

  private final String realm;
  private final PortReservation portReservation;
  private final Path workDir;
  private final Path kdcConf;
  private final Path krb5Conf;
  private final Path logFile;
  private final Set<String> principals = new LinkedHashSet<>();
  private Process process;
  private boolean closed;

  private KerberosKdc(String realm) throws IOException {
    this.realm = realm;
    this.portReservation = PortReservation.reserve("127.0.0.1");
    this.workDir = Files.createTempDirectory("kdc-");
    this.kdcConf = workDir.resolve("kdc.conf");
    this.krb5Conf = workDir.resolve("krb5.conf");
    this.logFile = workDir.resolve("krb5kdc.log");
    int port = portReservation.port();
    String dir = workDir.toString();
    Files.writeString(
        kdcConf,
        "[kdcdefaults]\n"
            + " kdc_listen = 127.0.0.1:"
            + port
            + "\n kdc_tcp_listen = 127.0.0.1:"
            + port
            + "\n[realms]\n "
            + realm
            + " = {\n  database_name = "
            + dir
            + "/principal\n  key_stash_file = "
            + dir
            + "/stash\n  acl_file = "
            + dir
            + "/kadm5.acl\n  kdc_listen = 127.0.0.1:"
            + port
            + "\n  kdc_tcp_listen = 127.0.0.1:"
            + port
            + "\n  max_life = 10h\n }\n"
            + "[logging]\n kdc = STDERR\n default = STDERR\n");
    Files.writeString(krb5Conf, krb5ConfText(realm, "127.0.0.1:" + port));
    Files.writeString(workDir.resolve("kadm5.acl"), "");
  }

  /**
   * The text of a client {@code krb5.conf} for a realm with one KDC ({@code host:port}), no DNS
   * lookups and no reverse resolution of service host names.
   */
  public static String krb5ConfText(String realm, String kdc) {
    return "[libdefaults]\n default_realm = "
        + realm
        + "\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n"
        + " dns_canonicalize_hostname = false\n"
        + "[realms]\n "
        + realm
        + " = {\n  kdc = "
        + kdc
        + "\n }\n[domain_realm]\n .example.test = "
        + realm
        + "\n example.test = "
        + realm
        + "\n";
  }

  /**
   * Starts the standard KDC: realm {@value #REALM}, principals {@value #DNS_SERVICE}, {@value
   * #ACME} and {@value #OTHER}, each with a keytab.
   */
  public static KerberosKdc startStandard() {
    return start(REALM, List.of(DNS_SERVICE, ACME, OTHER));
  }

  /**
   * Creates the realm's database, the principals (random keys, exported to keytabs), and starts.
   */
  public static KerberosKdc start(String realm, List<String> principals) {
    Objects.requireNonNull(realm);
    return ServerProcess.startOnFreePorts(
        () -> new KerberosKdc(realm),
        kdc -> {
          kdc.createDatabase();
          principals.forEach(kdc::addPrincipal);
          kdc.launch();
        },
        START_ATTEMPTS);
  }

  // ---------------------------------------------------------------- accessors

  /** The realm, e.g. EXAMPLE.TEST. */
  public String realm() {
    return realm;
  }

  /** The KDC port (UDP and TCP) on 127.0.0.1. */
  public int port() {
    return portReservation.port();
  }

  /** {@code 127.0.0.1:port}, as krb5.conf and the JDK's {@code java.security.krb5.kdc} take it. */
  public String kdcAddress() {
    return "127.0.0.1:" + port();
  }

  /** A client krb5.conf for this realm (default realm, this KDC, no DNS lookups). */
  public Path krb5Conf() {
    return krb5Conf;
  }

  /** The KDC's directory: database, configuration, keytabs, ticket caches, log. */
  public Path workDir() {
    return workDir;
  }

  /** {@code name@REALM}. */
  public String principal(String name) {
    return name.contains("@") ? name : name + "@" + realm;
  }

  /** The keytab exported for a principal (by name without realm) when it was added. */
  public Path keytab(String name) {
    if (!principals.contains(name)) {
      throw new IllegalArgumentException(name + " is not a principal of " + this);
    }
    return workDir.resolve(name.replace('/', '_') + ".keytab");
  }

  /** The keytab file's bytes (a secret: never print it). */
  public byte[] keytabBytes(String name) {
    try {
      return Files.readAllBytes(keytab(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code KRB5_CONFIG} (and the KDC profile) for a child process using this realm. */
  public Map<String, String> environment() {
    return Map.of("KRB5_CONFIG", krb5Conf.toString(), "KRB5_KDC_PROFILE", kdcConf.toString());
  }

  // ---------------------------------------------------------------- administration

  /** Adds a principal with a random key and exports it to {@link #keytab(String)}. */
  public synchronized void addPrincipal(String name) {
    principals.add(name);
    kadmin("addprinc -randkey " + name);
    kadmin("ktadd -k " + keytab(name) + " " + name);
  }

  /**
   * Gives a principal a new random key without exporting it: the keytab on disk is then stale (a
   * "wrong keytab").
   */
  public synchronized void rekeyWithoutExport(String name) {
    kadmin("cpw -randkey " + name);
  }

  /** Deletes a principal from the database; its keytab file stays (an "unknown principal"). */
  public synchronized void deletePrincipal(String name) {
    kadmin("delprinc -force " + name);
  }

  /**
   * {@code kinit -k -t keytab principal} into a ticket cache of its own, for {@code nsupdate -g}.
   *
   * @return the environment for the tool: {@code KRB5_CONFIG} and {@code KRB5CCNAME}
   */
  public Map<String, String> kinit(String name) {
    Path ccache = workDir.resolve("ccache-" + name.replace('/', '_'));
    Map<String, String> env =
        Map.of("KRB5_CONFIG", krb5Conf.toString(), "KRB5CCNAME", "FILE:" + ccache);
    CommandResult r =
        Commands.run(
            List.of("kinit", "-k", "-t", keytab(name).toString(), principal(name)),
            env,
            null,
            TOOL_TIMEOUT);
    if (!r.ok()) {
      throw new IllegalStateException("kinit " + name + " failed: " + r.output());
    }
    return env;
  }

  private void createDatabase() {
    byte[] master = new byte[24];
    new SecureRandom().nextBytes(master);
    // -s: a stash file, so that krb5kdc starts without asking for the master password.
    tool(List.of("kdb5_util", "create", "-s", "-r", realm, "-P", HexFormat.of().formatHex(master)));
  }

  private void kadmin(String query) {
    tool(List.of("kadmin.local", "-r", realm, "-q", query));
  }

  private void tool(List<String> command) {
    CommandResult r = Commands.run(command, environment(), null, TOOL_TIMEOUT);
    // kadmin.local exits 0 even when the query fails: its complaints carry the word "while".
    if (!r.ok() || r.output().contains(" while ")) {
      throw new IllegalStateException(
          String.join(" ", command.subList(0, 1)) + " failed in " + workDir + ":\n" + r.output());
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private synchronized void launch() {
    long offset = Commands.size(logFile);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Commands.executable("krb5kdc"),
                "-n",
                "-r",
                realm,
                "-P",
                workDir.resolve("krb5kdc.pid").toString()));
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.environment().putAll(environment());
      process = pb.start();
      Commands.track(process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start krb5kdc", e);
    }
    try {
      ServerProcess.awaitLog(
          process,
          logFile,
          offset,
          log -> log.contains("commencing operation") || log.contains("in use"),
          "krb5kdc running",
          START_TIMEOUT);
    } catch (ConditionTimeoutException | StartFailure e) {
      String tail = ServerProcess.logTail(logFile, offset, 30);
      Commands.terminate(process, STOP_GRACE);
      if (tail.contains("in use")) {
        throw new PortClash(this + ": the port is taken:\n" + tail);
      }
      throw new IllegalStateException(
          "krb5kdc did not start (" + this + "): " + e.getMessage() + "\n" + tail);
    }
    if (Commands.since(logFile, offset).contains("in use")) {
      String tail = ServerProcess.logTail(logFile, offset, 30);
      Commands.terminate(process, STOP_GRACE);
      throw new PortClash(this + ": the port is taken:\n" + tail);
    }
  }

  /** True while krb5kdc runs. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops krb5kdc (the port stays reserved, the database stays): a "KDC down" for tests. */
  public synchronized void stop() {
    Commands.terminate(process, STOP_GRACE);
  }

  /** Starts krb5kdc again after {@link #stop()} on the same port with the same database. */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Stops krb5kdc, releases its port and deletes its directory (keytabs included). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ServerProcess.shutDown(process, STOP_GRACE, portReservation, workDir);
  }

  @Override
  public String toString() {
    return "krb5kdc " + realm + "@" + kdcAddress() + " in " + workDir;
  }
}
