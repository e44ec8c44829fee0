package io.dnsupdate.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import lombok.AllArgsConstructor;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * Where and how to publish challenge records: nameservers, transport, key and allowed domains.
 * Fields left out keep null here; {@code IssuerSettings.parse} applies the same defaults as the
 * CRD.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "nameservers",
  "zone",
  "transport",
  "tls",
  "tsigKeyRef",
  "kerberos",
  "domains",
  "ttl",
  "timeout",
  "propagation",
  "requireLimitedKey"
})
@ValidationRule(
    value = "has(self.tsigKeyRef) != has(self.kerberos)",
    message =
        "set exactly one of tsigKeyRef (a TSIG key) and kerberos (GSS-TSIG): they are the two ways"
            + " to sign UPDATEs")
@Data
public class DnsUpdateIssuerSpec {
  public static final int DEFAULT_TTL = 60;
  public static final String DEFAULT_TIMEOUT = "10s";

  @JsonPropertyDescription(
      "Nameservers that accept the UPDATE messages, as host, host:port, [IPv6]:port or a bare"
          + " IPv6 address. The first is the primary; the others are tried in order when it is"
          + " unreachable. The port defaults to 53, or 853 with transport tls.")
  @Required
  @Size(min = 1, max = 16)
  private List<@Pattern(ApiConstants.NAMESERVER_PATTERN) String> nameservers = new ArrayList<>();

  @JsonPropertyDescription(
      "The zone to update, e.g. example.com. Absent: discovered for each challenge name by asking"
          + " the primary for the SOA of the name and its parents. Set it when the primary serves"
          + " several views or the _acme-challenge names are delegated.")
  @Pattern(ApiConstants.DNS_NAME_PATTERN)
  @Size(max = 254)
  private String zone;

  @JsonPropertyDescription(
      "How messages travel: tcp (default), udp (retried over tcp when truncated) or tls (DNS over"
          + " TLS, RFC 7858).")
  @Default(DnsTransport.DEFAULT_NAME)
  private DnsTransport transport;

  @JsonPropertyDescription("DNS over TLS settings; used with transport tls.")
  private Tls tls;

  @JsonPropertyDescription(
      "The TsigKey (in this namespace) that signs the UPDATE messages. Exactly one of tsigKeyRef"
          + " and kerberos.")
  private TsigKeyRef tsigKeyRef;

  @JsonPropertyDescription(
      "Sign the UPDATE messages with GSS-TSIG (RFC 3645) as a Kerberos principal instead of a TSIG"
          + " key: what Active Directory DNS accepts, and BIND with tkey-gssapi-keytab. Exactly one"
          + " of tsigKeyRef and kerberos.")
  private Kerberos kerberos;

  @JsonPropertyDescription(
      "Domains this issuer may answer challenges for. A challenge for _acme-challenge.D is allowed"
          + " when D is one of them or below one, compared by whole labels: example.com allows"
          + " a.example.com but not notexample.com. No wildcards: a certificate for *.example.com"
          + " is validated at _acme-challenge.example.com.")
  @Required
  @Size(min = 1)
  private List<@Pattern(ApiConstants.DOMAIN_PATTERN) @Size(max = 254) String> domains =
      new ArrayList<>();

  @JsonPropertyDescription("TTL in seconds of the TXT records written; default 60.")
  @Default("60")
  @Min(1)
  @Max(86400)
  private Integer ttl;

  @JsonPropertyDescription(
      "Deadline of one request to a nameserver, as a Go duration (10s) or ISO-8601 (PT10S);"
          + " default 10s.")
  @Default(DEFAULT_TIMEOUT)
  @Pattern(ApiConstants.DURATION_PATTERN)
  private String timeout;

  @JsonPropertyDescription(
      "Whether and how to wait until every authoritative nameserver serves the record before"
          + " answering cert-manager.")
  private Propagation propagation;

  @JsonPropertyDescription(
      "Refuse a key that is not limited to its challenge names. The operator's probe writes a TXT"
          + " record at _dnsupdate-limit-probe.<zone>, outside every challenge name, which the"
          + " nameserver must refuse. Where it does not (PowerDNS without the Lua update policy,"
          + " BIND with allow-update), the issuer is Ready with reason KeyNotLimited and a Warning"
          + " Event by default (false); with true it is not Ready (reason KeyTooBroad, Stalled),"
          + " so the webhook solves no challenge with it. Applies to generated and imported keys"
          + " alike.")
  @Default("false")
  private Boolean requireLimitedKey;

  // the two list setters are written by hand: a null from Java or JSON leaves an empty list
  public void setNameservers(List<String> nameservers) {
    this.nameservers = nameservers == null ? new ArrayList<>() : nameservers;
  }

  public void setDomains(List<String> domains) {
    this.domains = domains == null ? new ArrayList<>() : domains;
  }

  /** DNS over TLS: whom to trust and which name the server certificate must carry. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  public static class Tls {
    @JsonPropertyDescription(
        "PEM certificates of the CAs to trust for the nameserver's certificate, instead of the"
            + " system trust store.")
    private String caBundle;

    @JsonPropertyDescription(
        "The name the nameserver's certificate must carry, also sent as SNI. Default: the"
            + " nameserver's host; required when nameservers are IP addresses.")
    @Pattern(ApiConstants.DOMAIN_PATTERN)
    @Size(max = 254)
    private String serverName;

    // the CA bundle can run to pages: logs get its length
    @Override
    public String toString() {
      return "Tls[caBundle="
          + (caBundle == null ? null : "<" + caBundle.length() + " chars>")
          + ", serverName="
          + serverName
          + "]";
    }
  }

  /** A reference to a TsigKey in the issuer's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  public static class TsigKeyRef {
    @JsonPropertyDescription("Name of the TsigKey.")
    @Required
    @Pattern(ApiConstants.OBJECT_NAME_PATTERN)
    @Size(max = 253)
    private String name;
  }

  /**
   * A Kerberos principal that signs with GSS-TSIG: who it is, where its keytab is and whom to ask.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({
    "principal",
    "realm",
    "kdcs",
    "keytabSecretRef",
    "servicePrincipal",
    "algorithm"
  })
  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  public static class Kerberos {
    @JsonPropertyDescription(
        "The client principal the webhook logs in as, name or name@REALM, e.g. acme-dns or"
            + " acme-dns@EXAMPLE.COM (for Active Directory, a user or computer account such as"
            + " acme-dns@AD.EXAMPLE.COM).")
    @Required
    @Pattern(ApiConstants.KERBEROS_PRINCIPAL_PATTERN)
    @Size(max = 255)
    private String principal;

    @JsonPropertyDescription(
        "The realm, e.g. EXAMPLE.COM; required when principal has none, and equal to it when"
            + " both are written.")
    @Pattern(ApiConstants.KERBEROS_REALM_PATTERN)
    @Size(max = 255)
    private String realm;

    @JsonPropertyDescription(
        "The realm's KDCs as host or host:port (port 88 by default), tried in order. Absent: found"
            + " by DNS SRV records (_kerberos._tcp.<realm>), as domain members do.")
    @Size(max = 8)
    private List<@Pattern(ApiConstants.NAMESERVER_PATTERN) String> kdcs;

    @JsonPropertyDescription(
        "The Secret (in this namespace) holding the principal's keytab, e.g. made by kadmin"
            + " ktadd or ktpass. The webhook and the operator read it with get and keep the bytes"
            + " only in memory and, for the moment of a login, in a file only they can read.")
    @Required
    private KeytabSecretRef keytabSecretRef;

    @JsonPropertyDescription(
        "The nameserver's principal, e.g. DNS/ns1.example.com@EXAMPLE.COM. Default:"
            + " DNS/<nameserver host>@<realm> for each nameserver (as nsupdate -g does); required"
            + " when nameservers are IP addresses.")
    @Pattern(ApiConstants.KERBEROS_PRINCIPAL_PATTERN)
    @Size(max = 255)
    private String servicePrincipal;

    @JsonPropertyDescription(
        "The GSS-TSIG algorithm name: gss-tsig (default, RFC 3645) or gss.microsoft.com (older"
            + " Windows DNS servers).")
    @Default(GssAlgorithm.DEFAULT_NAME)
    private GssAlgorithm algorithm;
  }

  /** A key of a Secret in the issuer's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  public static class KeytabSecretRef {
    public static final String DEFAULT_KEY = "keytab";

    @JsonPropertyDescription("Name of the Secret.")
    @Required
    @Pattern(ApiConstants.OBJECT_NAME_PATTERN)
    @Size(max = 253)
    private String name;

    @JsonPropertyDescription("The data key holding the keytab; default keytab.")
    @Default(DEFAULT_KEY)
    @Pattern(ApiConstants.SECRET_DATA_KEY_PATTERN)
    @Size(max = 253)
    private String key;
  }

  /** Waiting until the authoritative nameservers serve what was written. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Data
  public static class Propagation {
    public static final int DEFAULT_PORT = 53;
    public static final String DEFAULT_TIMEOUT = "45s";
    public static final String DEFAULT_POLL_INTERVAL = "1s";

    @JsonPropertyDescription(
        "Wait until every authoritative nameserver serves the record (or no longer serves it)"
            + " before answering cert-manager; default true.")
    @Default("true")
    private Boolean verify;

    @JsonPropertyDescription(
        "The nameservers to check, as host[:port], instead of the zone's NS records. Queries are"
            + " unsigned, over TCP.")
    @Size(max = 16)
    private List<@Pattern(ApiConstants.NAMESERVER_PATTERN) String> nameservers;

    @JsonPropertyDescription(
        "Port of the nameservers found in the zone's NS records (and of listed ones without a"
            + " port); default 53.")
    @Default("53")
    @Min(1)
    @Max(65535)
    private Integer port;

    @JsonPropertyDescription(
        "How long to wait for propagation before reporting failure, as a Go duration or"
            + " ISO-8601; default 45s. cert-manager gives up on a request after 60s.")
    @Default(DEFAULT_TIMEOUT)
    @Pattern(ApiConstants.DURATION_PATTERN)
    private String timeout;

    @JsonPropertyDescription("Time between two checks, as a Go duration or ISO-8601; default 1s.")
    @Default(DEFAULT_POLL_INTERVAL)
    @Pattern(ApiConstants.DURATION_PATTERN)
    private String pollInterval;
  }
}
