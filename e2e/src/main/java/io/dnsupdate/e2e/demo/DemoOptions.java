package io.dnsupdate.e2e.demo;

import io.dnsupdate.cli.CommandLine;
import io.dnsupdate.cli.Flag;
import io.dnsupdate.cli.FlagValues;
import io.dnsupdate.cli.UsageException;
import io.dnsupdate.dns.Nameserver;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo's settings: by default everything local (named, Pebble, embedded Kubernetes API); {@code
 * --nameserver}/{@code --domain} and {@code --acme-directory} point it at real ones.
 *
 * <p>This class needs only the JDK and JDK-only classes of core ({@link CommandLine}, {@link
 * Nameserver}): scripts/demo.sh compiles it alone and runs {@link #main} before any Maven build, so
 * {@code --help} and usage errors answer at once.
 *
 * @param nameserver your primary nameserver (host:port), or null for the local named
 * @param domain the domain to certify (apex, wildcard and a.b. below it)
 * @param acmeDirectory your ACME directory URL, or null for the local Pebble
 * @param out where the certificate and key are written
 * @param keyWait how long to wait for you to load the key into your nameserver
 * @param keep keep the temporary directory (kubeconfigs, TLS keys, the key clause, logs)
 */
public record DemoOptions(
    String nameserver, String domain, URI acmeDirectory, Path out, Duration keyWait, boolean keep) {

  /** Exit code of a usage error, as the script passes it on. */
  public static final int USAGE_ERROR = UsageException.USAGE_ERROR;

  private static final CommandLine COMMAND_LINE =
      new CommandLine(
          String.join(
              "\n",
              "usage: scripts/demo.sh [--out DIR] [--keep]",
              "                       [--nameserver HOST:PORT --domain DOMAIN [--key-wait DURATION]]",
              "                       [--acme-directory URL]",
              "       scripts/demo.sh -h|--help",
              "Issues a real certificate for DOMAIN, *.DOMAIN and a.b.DOMAIN on this machine: a",
              "local named, Pebble and Kubernetes API, or your nameserver and ACME directory."),
          List.of(
              Flag.of(
                  "out",
                  "DIR",
                  "DEMO_OUT",
                  "demo-output",
                  "where fullchain.pem and privkey.pem go"),
              Flag.of(
                  "nameserver",
                  "HOST:PORT",
                  "DEMO_NAMESERVER",
                  null,
                  "your primary nameserver instead of the local named; the demo writes the key"
                      + " clause and grants to load into it, and waits"),
              Flag.of(
                  "domain",
                  "DOMAIN",
                  "DEMO_DOMAIN",
                  "example.test",
                  "the domain to certify; another than example.test needs --nameserver"),
              Flag.of(
                  "key-wait",
                  "DURATION",
                  "DEMO_KEY_WAIT",
                  "10m",
                  "how long to wait for your nameserver to accept the key, like 90s or 10m"),
              Flag.of(
                  "acme-directory",
                  "URL",
                  "DEMO_ACME_DIRECTORY",
                  null,
                  "your ACME directory (e.g. Let's Encrypt staging) instead of the local Pebble;"
                      + " needs --nameserver (the CA must see your DNS)"),
              Flag.toggle(
                  "keep",
                  "keep the temporary directory (kubeconfigs, TLS keys, the TSIG key clause,"
                      + " the operator's and webhook's log) and say where")));

  /** The usage text printed for {@code -h}/{@code --help} and after a usage error. */
  public static final String USAGE = COMMAND_LINE.usage();

  // whole labels of letters, digits and hyphens; no wildcard: the demo certifies *.DOMAIN itself
  private static final Pattern DOMAIN =
      Pattern.compile(
          "^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$");

  /** True when the arguments ask for the usage text ({@code -h} or {@code --help} anywhere). */
  public static boolean wantsHelp(String[] args) {
    return CommandLine.wantsHelp(args);
  }

  /**
   * Parses {@code --name value} and {@code --name=value} flags over {@code DEMO_*} environment
   * variables and checks every value, so that nothing starts with a setting that cannot work.
   *
   * @throws UsageException naming every problem, followed by the usage text; or carrying the usage
   *     for {@code -h}/{@code --help}
   */
  public static DemoOptions parse(String[] args, Map<String, String> env) {
    FlagValues v = COMMAND_LINE.parse(args, env);
    String nameserver = v.read("nameserver", null, DemoOptions::nameserver);
    String domain = v.read("domain", null, DemoOptions::domain);
    if (domain != null && nameserver == null && !domain.equals("example.test")) {
      v.problem(
          "--domain " + domain + " needs --nameserver: the local named serves only example.test");
    }
    URI acmeDirectory = v.read("acme-directory", null, DemoOptions::acmeDirectory);
    if (v.text("acme-directory") != null && nameserver == null) {
      v.problem("--acme-directory needs --nameserver: a public CA cannot query the local named");
    }
    Duration wait = v.positiveDuration("key-wait");
    Path out = v.read("out", null, DemoOptions::outDir);
    DemoOptions options =
        new DemoOptions(nameserver, domain, acmeDirectory, out, wait, v.isSet("keep"));
    v.check();
    return options;
  }

  private static String nameserver(String text) {
    Nameserver.parse(text);
    return text;
  }

  private static String domain(String text) {
    String bare = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    bare = bare.toLowerCase(Locale.ROOT);
    if (!DOMAIN.matcher(bare).matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a domain name like example.com (two labels or more, letters, digits"
              + " and hyphens)");
    }
    return bare;
  }

  private static Path outDir(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("the directory name is empty");
    }
    Path dir = Path.of(text);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(text + " exists and is not a directory");
    }
    return dir;
  }

  private static URI acmeDirectory(String text) {
    try {
      URI uri = new URI(text);
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "'" + text + "' is not an https:// URL (ACME needs HTTPS, RFC 8555)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
    }
  }

  public boolean localNameserver() {
    return nameserver == null;
  }

  /**
   * Checks the command line and starts nothing: prints the usage for {@code -h}/{@code --help},
   * exits {@value #USAGE_ERROR} with the problems for a bad one, and exits 0 silently for a good
   * one. scripts/demo.sh runs this before building anything.
   */
  public static void main(String[] args) {
    try {
      parse(args, System.getenv());
    } catch (UsageException e) {
      if (e.helpRequested()) {
        System.out.print(e.getMessage());
      } else {
        System.err.println("demo: " + e.getMessage().strip());
      }
      System.exit(e.exitCode());
    }
  }
}
