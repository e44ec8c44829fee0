package io.dnsupdate.dns.gss;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's Kerberos configuration, generated. The JDK reads its realms and KDCs from one
 * process-wide krb5.conf ({@code java.security.krb5.conf}) into a singleton: there is no per-login
 * configuration. So every realm this process logs in to is written into one generated file (never
 * {@code /etc/krb5.conf}), and a login that brings a new realm or KDC list asks the JDK to reread
 * it. A realm's KDC list is the union of every list given for it in this process.
 */
final class Krb5Configuration {

  static final String PROPERTY = "java.security.krb5.conf";

  private static final Map<String, List<String>> REALMS = new LinkedHashMap<>();
  private static Path file;

  private Krb5Configuration() {}

  /**
   * Makes the JDK's configuration know the realm with these KDCs, besides those it already knows
   * for it: a realm's KDCs are the realm's, whichever issuer lists them, so two issuers of one
   * realm with different lists do not take turns rewriting the file under each other's logins.
   *
   * @return true when the file changed and the JDK must reread it ({@code refreshKrb5Config})
   */
  static synchronized boolean use(String realm, List<String> kdcs) {
    List<String> known = REALMS.getOrDefault(realm, List.of());
    Set<String> merged = new LinkedHashSet<>(known);
    merged.addAll(kdcs);
    if (file != null && REALMS.containsKey(realm) && merged.size() == known.size()) {
      return false;
    }
    REALMS.put(realm, List.copyOf(merged));
    try {
      if (file == null) {
        file =
            Files.createTempFile(
                "dnsupdate-krb5-",
                ".conf",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
      }
      Files.writeString(file, render(realm));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the generated krb5.conf", e);
    }
    System.setProperty(PROPERTY, file.toString());
    return true;
  }

  private static String render(String defaultRealm) {
    boolean anyWithoutKdcs = REALMS.values().stream().anyMatch(List::isEmpty);
    StringBuilder c = new StringBuilder("[libdefaults]\n");
    c.append(" default_realm = ").append(defaultRealm).append('\n');
    // TCP only: a KDC that is down answers "connection refused" at once instead of UDP timeouts.
    c.append(" udp_preference_limit = 1\n");
    c.append(" kdc_timeout = 5000\n max_retries = 1\n");
    c.append(" dns_lookup_realm = false\n");
    c.append(" dns_lookup_kdc = ").append(anyWithoutKdcs).append('\n');
    c.append(" rdns = false\n dns_canonicalize_hostname = false\n");
    c.append("[realms]\n");
    REALMS.forEach(
        (realm, kdcs) -> {
          c.append(' ').append(realm).append(" = {\n");
          kdcs.forEach(k -> c.append("  kdc = ").append(k).append('\n'));
          c.append(" }\n");
        });
    return c.toString();
  }
}
