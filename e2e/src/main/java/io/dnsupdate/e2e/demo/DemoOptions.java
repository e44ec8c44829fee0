package io.dnsupdate.e2e.demo;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's settings: by default everything local (named, Pebble, embedded Kubernetes API); {@code
 * --nameserver}/{@code --domain} and {@code --acme-directory} point it at real ones.
 *
 * @param nameserver your primary nameserver (host:port), or null for the local named
 * @param domain the domain to certify (apex, wildcard and a.b. below it)
 * @param acmeDirectory your ACME directory URL, or null for the local Pebble
 * @param out where the certificate and key are written
 * @param keyWait how long to wait for you to load the key into your nameserver
 */
public record DemoOptions(
    String nameserver, String domain, URI acmeDirectory, Path out, Duration keyWait) {

  static final String USAGE =
      String.join(
          "\n",
          "usage: scripts/demo.sh [--out=DIR] [--nameserver=HOST:PORT --domain=DOMAIN]"
              + " [--acme-directory=URL]",
          "  --out=DIR               where fullchain.pem and privkey.pem go (default demo-output)",
          "  --nameserver=HOST:PORT  your primary nameserver instead of the local named; the demo",
          "                          prints the key clause and grants to load into it and waits",
          "  --domain=DOMAIN         the domain to certify on your nameserver (default example.test)",
          "  --acme-directory=URL    your ACME directory (e.g. Let's Encrypt staging) instead of the",
          "                          local Pebble; needs --nameserver (the CA must see your DNS)",
          "  --key-wait=DURATION     how long to wait for your nameserver to accept the key"
              + " (default 10m)",
          "environment: DEMO_NAMESERVER, DEMO_DOMAIN, DEMO_ACME_DIRECTORY, DEMO_OUT");

  /** Parses {@code --name=value} flags over {@code DEMO_*} environment variables. */
  public static DemoOptions parse(String[] args, Map<String, String> env) {
    String nameserver = env.get("DEMO_NAMESERVER");
    String domain = env.getOrDefault("DEMO_DOMAIN", "example.test");
    String acme = env.get("DEMO_ACME_DIRECTORY");
    String out = env.getOrDefault("DEMO_OUT", "demo-output");
    String keyWait = "10m";
    List<String> problems = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? "" : arg.substring(eq + 1);
      switch (name) {
        case "--nameserver" -> nameserver = value;
        case "--domain" -> domain = value;
        case "--acme-directory" -> acme = value;
        case "--out" -> out = value;
        case "--key-wait" -> keyWait = value;
        default -> problems.add("unknown flag '" + arg + "'");
      }
    }
    if (acme != null && nameserver == null) {
      problems.add("--acme-directory needs --nameserver: a public CA cannot query the local named");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems) + "\n" + USAGE);
    }
    return new DemoOptions(
        nameserver,
        domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain,
        acme == null ? null : URI.create(acme),
        Path.of(out),
        io.dnsupdate.config.Durations.parse(keyWait));
  }

  public boolean localNameserver() {
    return nameserver == null;
  }
}
