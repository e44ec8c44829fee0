package io.dnsupdate.config;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsTransport;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.dns.Nameserver;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.TlsSettings;
import io.dnsupdate.dns.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * A DnsUpdateIssuer's spec, validated once and turned into what the DNS engine takes. Defaults are
 * the CRD's, applied again here because objects built in Java or served by a test API server have
 * not been through the API server's defaulting.
 *
 * @param servers where UPDATEs go: the primary first, then the fallbacks in order
 * @param zone the zone to update; empty to discover it by SOA queries
 * @param ttl TTL in seconds of the TXT records written
 * @param timeout deadline of one request to a nameserver
 * @param domainPolicy which challenge names the issuer may write
 * @param credential what signs: a TsigKey of the issuer's namespace, or a Kerberos principal
 * @param propagation whether and how to wait for the authoritative servers
 */
public record IssuerSettings(
    List<ServerEndpoint> servers,
    Optional<Name> zone,
    long ttl,
    Duration timeout,
    DomainPolicy domainPolicy,
    IssuerCredential credential,
    Propagation propagation) {

  /**
   * How long a challenge may take from the moment the webhook accepts its request: the UPDATE
   * ({@code timeout}) and the propagation wait together. kube-apiserver gives up on a request to an
   * aggregated API after 60 s; the 5 s left carry the answer back. The one budget: issuer
   * validation and the webhook's deadline both use it.
   */
  public static final Duration REQUEST_BUDGET = Duration.ofSeconds(55);

  private static final Pattern DNS_NAME = Pattern.compile(ApiConstants.DNS_NAME_PATTERN);

  public static final long MIN_TTL = 1;
  public static final long MAX_TTL = 86400;

  public IssuerSettings {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one nameserver is needed");
    }
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(domainPolicy, "domainPolicy");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(propagation, "propagation");
  }

  /**
   * Waiting until the authoritative nameservers serve what was written.
   *
   * @param verify whether to wait at all
   * @param nameservers servers to check instead of the zone's NS set; empty to use the NS set
   * @param port port of servers taken from the NS set
   * @param timeout how long to wait
   * @param pollInterval time between two checks
   */
  public record Propagation(
      boolean verify,
      List<ServerEndpoint> nameservers,
      int port,
      Duration timeout,
      Duration pollInterval) {
    public Propagation {
      nameservers = List.copyOf(nameservers);
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(pollInterval, "pollInterval");
    }

    /** True when the servers to check are listed rather than taken from the zone's NS set. */
    public boolean explicit() {
      return !nameservers.isEmpty();
    }
  }

  /** The server UPDATEs go to first. */
  public ServerEndpoint primary() {
    return servers.get(0);
  }

  /** The transport every server is reached by. */
  public Transport transport() {
    return primary().transport();
  }

  /**
   * Validates a spec and applies the defaults.
   *
   * @throws InvalidSpecException listing every problem found, each with the field it concerns
   */
  public static IssuerSettings parse(DnsUpdateIssuerSpec spec) {
    if (spec == null) {
      throw new InvalidSpecException(
          List.of(
              "spec: missing; nameservers, domains and one of tsigKeyRef and kerberos are"
                  + " required"));
    }
    Set<String> problems = new LinkedHashSet<>();

    DnsTransport apiTransport =
        spec.getTransport() == null ? DnsTransport.TCP : spec.getTransport();
    Transport transport = apiTransport.engine();
    TlsSettings tls = TlsSettings.SYSTEM_TRUST;
    DnsUpdateIssuerSpec.Tls specTls = spec.getTls();
    if (specTls != null) {
      if (transport != Transport.TLS) {
        problems.add(
            "tls: set, but transport is "
                + transport
                + ", so messages would travel unencrypted: set transport: tls, or remove tls");
      }
      String serverName = blankToNull(specTls.getServerName());
      tls = new TlsSettings(blankToNull(specTls.getCaBundle()), serverName);
    }

    Duration timeout =
        duration(spec.getTimeout(), DnsUpdateIssuerSpec.DEFAULT_TIMEOUT, "timeout", problems);
    if (timeout != null) {
      timeout = within(timeout, "timeout", problems);
    }

    List<ServerEndpoint> servers = new ArrayList<>();
    List<String> written = spec.getNameservers();
    if (written == null || written.isEmpty()) {
      problems.add(
          "nameservers: list at least one, the primary that accepts UPDATEs (host or host:port)");
    } else {
      Set<String> seen = new LinkedHashSet<>();
      for (int i = 0; i < written.size(); i++) {
        String field = "nameservers[" + i + "]";
        Nameserver ns;
        try {
          ns = Nameserver.parse(written.get(i));
        } catch (IllegalArgumentException e) {
          problems.add(field + ": " + e.getMessage());
          continue;
        }
        String key = ns.host() + ":" + ns.portOr(transport);
        if (!seen.add(key)) {
          problems.add(field + ": '" + written.get(i) + "' is listed twice");
          continue;
        }
        if (timeout == null) {
          continue;
        }
        try {
          servers.add(new ServerEndpoint(ns, transport, tls, timeout));
        } catch (IllegalArgumentException e) {
          String m = String.valueOf(e.getMessage());
          problems.add(
              m.contains("CA bundle")
                  ? "tls.caBundle: " + m
                  : field + ": " + m + tlsHint(m, transport));
        }
      }
    }

    Optional<Name> zone = Optional.empty();
    String zoneText = blankToNull(spec.getZone());
    if (zoneText != null && !DNS_NAME.matcher(zoneText).matches()) {
      problems.add(
          "zone: '" + zoneText + "' is not a domain name (labels of letters, digits, - and _)");
    } else if (zoneText != null) {
      try {
        zone = Optional.of(Name.fromString(zoneText, Name.root).canonicalize());
      } catch (TextParseException e) {
        problems.add("zone: '" + zoneText + "' is not a domain name");
      }
    }

    DomainPolicy policy = null;
    List<String> domains = spec.getDomains();
    if (domains == null || domains.isEmpty()) {
      problems.add(
          "domains: list at least one domain this issuer may answer for, e.g. example.com");
    } else {
      int before = problems.size();
      for (int i = 0; i < domains.size(); i++) {
        try {
          DomainPolicy.validateDomain(domains.get(i));
        } catch (IllegalArgumentException e) {
          problems.add("domains[" + i + "]: " + e.getMessage());
        }
      }
      if (problems.size() == before) {
        policy = DomainPolicy.of(domains);
      }
    }
    if (policy != null && zone.isPresent()) {
      for (Name challenge : policy.challengeNames()) {
        if (!challenge.subdomain(zone.get())) {
          problems.add(
              "zone: "
                  + zone.get()
                  + " does not contain "
                  + challenge
                  + "; remove zone to discover it, or list only domains inside it");
        }
      }
    }

    IssuerCredential credential = CredentialParser.parse(spec, servers, problems);

    long ttl = spec.getTtl() == null ? DnsUpdateIssuerSpec.DEFAULT_TTL : spec.getTtl();
    if (ttl < MIN_TTL || ttl > MAX_TTL) {
      problems.add("ttl: " + ttl + " is outside " + MIN_TTL + "-" + MAX_TTL + " seconds");
    }

    Propagation propagation = propagation(spec.getPropagation(), timeout, problems);
    if (propagation != null && propagation.verify() && timeout != null) {
      Duration total = timeout.plus(propagation.timeout());
      if (total.compareTo(REQUEST_BUDGET) > 0) {
        problems.add(
            "timeout ("
                + Durations.format(timeout)
                + ") + propagation.timeout ("
                + Durations.format(propagation.timeout())
                + ") exceed the "
                + Durations.format(REQUEST_BUDGET)
                + " budget of a webhook request (kube-apiserver gives up after 1m): lower one of"
                + " them");
      }
    }

    if (!problems.isEmpty()) {
      throw new InvalidSpecException(List.copyOf(problems));
    }
    return new IssuerSettings(servers, zone, ttl, timeout, policy, credential, propagation);
  }

  private static Propagation propagation(
      DnsUpdateIssuerSpec.Propagation spec, Duration queryTimeout, Set<String> problems) {
    DnsUpdateIssuerSpec.Propagation p = spec == null ? new DnsUpdateIssuerSpec.Propagation() : spec;
    boolean verify = p.getVerify() == null || p.getVerify();
    int port = p.getPort() == null ? DnsUpdateIssuerSpec.Propagation.DEFAULT_PORT : p.getPort();
    boolean portOk = port >= 1 && port <= 65535;
    if (!portOk) {
      problems.add("propagation.port: " + port + " is outside 1-65535");
    }
    Duration timeout =
        duration(
            p.getTimeout(),
            DnsUpdateIssuerSpec.Propagation.DEFAULT_TIMEOUT,
            "propagation.timeout",
            problems);
    if (timeout != null) {
      timeout = within(timeout, "propagation.timeout", problems);
    }
    Duration poll =
        duration(
            p.getPollInterval(),
            DnsUpdateIssuerSpec.Propagation.DEFAULT_POLL_INTERVAL,
            "propagation.pollInterval",
            problems);
    if (poll != null) {
      if (poll.isZero() || poll.isNegative()) {
        problems.add("propagation.pollInterval: must be positive");
        poll = null;
      } else if (timeout != null && poll.compareTo(timeout) > 0) {
        problems.add(
            "propagation.pollInterval: "
                + Durations.format(poll)
                + " is longer than propagation.timeout ("
                + Durations.format(timeout)
                + ")");
        poll = null;
      }
    }
    List<ServerEndpoint> servers = new ArrayList<>();
    List<String> written = p.getNameservers() == null ? List.of() : p.getNameservers();
    for (int i = 0; i < written.size(); i++) {
      String field = "propagation.nameservers[" + i + "]";
      try {
        Nameserver ns = Nameserver.parse(written.get(i));
        if (portOk && queryTimeout != null) {
          Nameserver withPort = ns.port() == null ? new Nameserver(ns.host(), port) : ns;
          // checks see what the ACME server sees: plain queries over TCP
          servers.add(new ServerEndpoint(withPort, Transport.TCP, null, queryTimeout));
        }
      } catch (IllegalArgumentException e) {
        problems.add(field + ": " + e.getMessage());
      }
    }
    if (timeout == null || poll == null || !portOk) {
      return null;
    }
    return new Propagation(verify, servers, port, timeout, poll);
  }

  private static Duration duration(
      String text, String fallback, String field, Set<String> problems) {
    String t = blankToNull(text);
    try {
      return Durations.parse(t == null ? fallback : t);
    } catch (IllegalArgumentException e) {
      problems.add(field + ": " + e.getMessage());
      return null;
    }
  }

  /** A positive duration within the request budget, or null after noting the problem. */
  private static Duration within(Duration d, String field, Set<String> problems) {
    if (d.isZero() || d.isNegative()) {
      problems.add(field + ": must be positive");
      return null;
    }
    if (d.compareTo(REQUEST_BUDGET) > 0) {
      problems.add(
          field
              + ": "
              + Durations.format(d)
              + " is longer than the "
              + Durations.format(REQUEST_BUDGET)
              + " budget of a webhook request (kube-apiserver gives up after 1m)");
      return null;
    }
    return d;
  }

  private static String tlsHint(String m, Transport transport) {
    return transport == Transport.TLS && m.contains("server name") ? " (set tls.serverName)" : "";
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
