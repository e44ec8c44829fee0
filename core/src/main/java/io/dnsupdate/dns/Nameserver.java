package io.dnsupdate.dns;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A nameserver address as users write it: {@code host}, {@code host:port}, {@code [v6]:port} or a
 * bare IPv6 literal. The port is absent when not written, so the transport's default applies.
 */
public record Nameserver(String host, Integer port) {
  private static final Pattern HOSTNAME =
      Pattern.compile(
          "^(?=.{1,253}\\.?$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)"
              + "(\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\\.?$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]+(%[\\w.]+)?$");

  public Nameserver {
    Objects.requireNonNull(host, "host");
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("port " + port + " is outside 1-65535");
    }
  }

  /**
   * Parses {@code host[:port]}.
   *
   * @throws IllegalArgumentException with a message naming the bad part
   */
  public static Nameserver parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("nameserver address is empty");
    }
    String s = text.strip();
    String host;
    Integer port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("nameserver '" + text + "': missing ']'");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException(
              "nameserver '" + text + "': expected ':port' after ']'");
        }
        port = parsePort(rest.substring(1), text);
      }
      if (!IPV6.matcher(host).matches()) {
        throw new IllegalArgumentException("nameserver '" + text + "': not an IPv6 address");
      }
    } else if (s.indexOf(':') != s.lastIndexOf(':')) {
      host = s; // bare IPv6 literal, no port possible without brackets
      if (!IPV6.matcher(host).matches()) {
        throw new IllegalArgumentException("nameserver '" + text + "': not an IPv6 address");
      }
    } else {
      int colon = s.indexOf(':');
      host = colon < 0 ? s : s.substring(0, colon);
      if (colon >= 0) {
        port = parsePort(s.substring(colon + 1), text);
      }
      if (!HOSTNAME.matcher(host).matches()) {
        throw new IllegalArgumentException(
            "nameserver '" + text + "': '" + host + "' is not a host name or IP address");
      }
    }
    return new Nameserver(host.toLowerCase(Locale.ROOT), port);
  }

  private static Integer parsePort(String p, String text) {
    try {
      int v = Integer.parseInt(p);
      if (v < 1 || v > 65535) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "nameserver '" + text + "': port '" + p + "' is not a number in 1-65535");
    }
  }

  /** The port to use with a transport when none was written. */
  public int portOr(Transport transport) {
    return port != null ? port : transport.defaultPort();
  }

  /** True when the host is an IP literal rather than a name. */
  public boolean isIpLiteral() {
    return host.contains(":") || host.matches("^[0-9.]+$");
  }

  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return port == null ? h : h + ":" + port;
  }
}
