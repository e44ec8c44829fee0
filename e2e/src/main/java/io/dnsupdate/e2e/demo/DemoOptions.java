package io.dnsupdate.e2e.demo;

import io.dnsupdate.config.Durations;
import io.dnsupdate.dns.Nameserver;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo's settings: by default everything local (named, Pebble, embedded Kubernetes API); {@code
 * --nameserver}/{@code --domain} and {@code --acme-directory} point it at real ones.
 *
 * <p>This class needs only the JDK and two JDK-only classes of core ({@link Durations}, {@link
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
  public static final int USAGE_ERROR = 2;

  static final String USAGE =
      String.join(
          "\n",
          "usage: scripts/demo.sh [--out DIR] [--keep]",
          "                       [--nameserver HOST:PORT --domain DOMAIN [--key-wait DURATION]]",
          "                       [--acme-directory URL]",
          "       scripts/demo.sh -h|--help",
          "  --out DIR               where fullchain.pem and privkey.pem go (default demo-output)",
          "  --nameserver HOST:PORT  your primary nameserver instead of the local named; the demo",
          "                          writes the key clause and grants to load into it and waits",
          "  --domain DOMAIN         the domain to certify (default example.test, the only zone",
          "                          the local named serves; another one needs --nameserver)",
          "  --key-wait DURATION     how long to wait for your nameserver to accept the key, like",
          "                          90s or 10m (default 10m)",
          "  --acme-directory URL    your ACME directory (e.g. Let's Encrypt staging) instead of the",
          "                          local Pebble; needs --nameserver (the CA must see your DNS)",
          "  --keep                  keep the temporary directory (kubeconfigs, TLS keys, the TSIG",
          "                          key clause, the operator's and webhook's log) and say where",
          "  -h, --help              this text",
          "Each flag also takes the form --flag=value.",
          "environment: DEMO_NAMESERVER, DEMO_DOMAIN, DEMO_ACME_DIRECTORY, DEMO_OUT, DEMO_KEY_WAIT");

  private static final List<String> VALUED =
      List.of("--out", "--nameserver", "--domain", "--key-wait", "--acme-directory");

  // whole labels of letters, digits and hyphens; no wildcard: the demo certifies *.DOMAIN itself
  private static final Pattern DOMAIN =
      Pattern.compile(
          "^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$");

  /** True when the arguments ask for the usage text ({@code -h} or {@code --help} anywhere). */
  public static boolean wantsHelp(String[] args) {
    return List.of(args).contains("-h") || List.of(args).contains("--help");
  }

  /**
   * Parses {@code --name value} and {@code --name=value} flags over {@code DEMO_*} environment
   * variables and checks every value, so that nothing starts with a setting that cannot work.
   *
   * @throws IllegalArgumentException naming every problem, followed by the usage text
   */
  public static DemoOptions parse(String[] args, Map<String, String> env) {
    String nameserver = env.get("DEMO_NAMESERVER");
    String domain = env.getOrDefault("DEMO_DOMAIN", "example.test");
    String acme = env.get("DEMO_ACME_DIRECTORY");
    String out = env.getOrDefault("DEMO_OUT", "demo-output");
    String keyWait = env.getOrDefault("DEMO_KEY_WAIT", "10m");
    boolean keep = false;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = null;
      if (VALUED.contains(name)) {
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          value = args[++i];
        } else {
          problems.add(name + " needs a value");
          continue;
        }
      } else if (name.equals("--keep") && eq >= 0) {
        problems.add("--keep takes no value");
        continue;
      }
      switch (name) {
        case "--nameserver" -> nameserver = value;
        case "--domain" -> domain = value;
        case "--acme-directory" -> acme = value;
        case "--out" -> out = value;
        case "--key-wait" -> keyWait = value;
        case "--keep" -> keep = true;
        default -> problems.add("unknown flag '" + arg + "'");
      }
    }

    if (nameserver != null) {
      try {
        Nameserver.parse(nameserver);
      } catch (IllegalArgumentException e) {
        problems.add("--nameserver: " + e.getMessage());
      }
    }
    String bareDomain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    bareDomain = bareDomain.toLowerCase(Locale.ROOT);
    if (!DOMAIN.matcher(bareDomain).matches()) {
      problems.add(
          "--domain: '"
              + domain
              + "' is not a domain name like example.com (two labels or more, letters, digits"
              + " and hyphens)");
    } else if (nameserver == null && !bareDomain.equals("example.test")) {
      problems.add(
          "--domain "
              + bareDomain
              + " needs --nameserver: the local named serves only example.test");
    }
    URI acmeDirectory = null;
    if (acme != null) {
      acmeDirectory = acmeDirectory(acme, problems);
      if (nameserver == null) {
        problems.add(
            "--acme-directory needs --nameserver: a public CA cannot query the local named");
      }
    }
    Duration wait = null;
    try {
      wait = Durations.parse(keyWait);
      if (wait.isZero() || wait.isNegative()) {
        problems.add("--key-wait: must be longer than 0s");
      }
    } catch (IllegalArgumentException e) {
      problems.add("--key-wait: " + e.getMessage());
    }
    Path outDir = null;
    if (out.isBlank()) {
      problems.add("--out: the directory name is empty");
    } else {
      outDir = Path.of(out);
      if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
        problems.add("--out: " + out + " exists and is not a directory");
      }
    }

    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems) + "\n" + USAGE);
    }
    return new DemoOptions(nameserver, bareDomain, acmeDirectory, outDir, wait, keep);
  }

  private static URI acmeDirectory(String text, List<String> problems) {
    try {
      URI uri = new URI(text);
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        problems.add(
            "--acme-directory: '" + text + "' is not an https:// URL (ACME needs HTTPS, RFC 8555)");
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      problems.add("--acme-directory: '" + text + "' is not a URL: " + e.getReason());
      return null;
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
    if (wantsHelp(args)) {
      System.out.println(USAGE);
      return;
    }
    try {
      parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.exit(USAGE_ERROR);
    }
  }
}
