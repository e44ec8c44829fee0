package io.dnsupdate.api;

/** Group, version, kind, label and Secret key names shared by the operator and the webhook. */
public final class ApiConstants {
  /** API group of our custom resources. */
  public static final String GROUP = "dnsupdate.io";

  /** API version of our custom resources. */
  public static final String VERSION = "v1alpha1";

  /** {@code GROUP/VERSION}, as written in {@code apiVersion}. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  public static final String KIND_TSIG_KEY = "TsigKey";
  public static final String PLURAL_TSIG_KEY = "tsigkeys";
  public static final String SHORT_NAME_TSIG_KEY = "tsig";

  public static final String KIND_DNS_UPDATE_ISSUER = "DnsUpdateIssuer";
  public static final String PLURAL_DNS_UPDATE_ISSUER = "dnsupdateissuers";
  public static final String SHORT_NAME_DNS_UPDATE_ISSUER = "dui";

  /** API group of the cert-manager solver served by the webhook (the issuer's groupName). */
  public static final String SOLVER_GROUP = "acme.dnsupdate.io";

  /** Version of the solver API. */
  public static final String SOLVER_VERSION = "v1alpha1";

  /** The solver resource cert-manager POSTs challenges to. */
  public static final String SOLVER_RESOURCE = "dnsupdate";

  /** The solver name users write in {@code solverName}; equal to the resource. */
  public static final String SOLVER_NAME = SOLVER_RESOURCE;

  /** Kind of the object cert-manager sends to the solver. */
  public static final String SOLVER_KIND = "ChallengePayload";

  /** Name of the APIService registering the solver group with kube-apiserver. */
  public static final String SOLVER_API_SERVICE = SOLVER_VERSION + "." + SOLVER_GROUP;

  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String LABEL_PART_OF = "app.kubernetes.io/part-of";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";

  /** Label on Secrets the operator writes for a TsigKey: the TsigKey's name. */
  public static final String LABEL_TSIG_KEY = GROUP + "/tsigkey";

  /** Value of {@link #LABEL_MANAGED_BY} and {@link #LABEL_PART_OF} on what the operator writes. */
  public static final String MANAGED_BY = "dnsupdate-operator";

  /** Key Secret data: the key's FQDN as the nameserver knows it. */
  public static final String SECRET_KEY_NAME = "keyName";

  /** Key Secret data: the BIND algorithm name, e.g. {@code hmac-sha256}. */
  public static final String SECRET_ALGORITHM = "algorithm";

  /** Key Secret data: the key in BIND's base64 form. */
  public static final String SECRET_SECRET = "secret";

  /** Key Secret data during a rotation overlap: the key being replaced. */
  public static final String SECRET_PREVIOUS_SECRET = "previousSecret";

  /** Key Secret data during a rotation overlap: RFC 3339 time the previous key stops working. */
  public static final String SECRET_PREVIOUS_EXPIRES_AT = "previousExpiresAt";

  /** Default key of an imported user Secret holding the BIND base64 secret. */
  public static final String DEFAULT_IMPORT_SECRET_KEY = SECRET_SECRET;

  /** Nameserver-config Secret data: the BIND {@code key} clause. */
  public static final String NAMESERVER_CONFIG_NAMED_CONF = "named.conf";

  /** Nameserver-config Secret data: BIND {@code update-policy} grant lines. */
  public static final String NAMESERVER_CONFIG_UPDATE_POLICY = "update-policy";

  /** Nameserver-config Secret data: Knot DNS {@code key:} and {@code acl:} sections. */
  public static final String NAMESERVER_CONFIG_KNOT = "knot.conf";

  /** Nameserver-config Secret data: PowerDNS {@code pdnsutil} commands. */
  public static final String NAMESERVER_CONFIG_PDNS = "pdns.txt";

  /**
   * Nameserver-config Secret data: this key's part of a PowerDNS {@code
   * lua-dnsupdate-policy-script} (the parts of several keys concatenate into one script).
   */
  public static final String NAMESERVER_CONFIG_PDNS_POLICY = "pdns-policy.lua";

  /** Suffix of a key Secret's default name: {@code <tsigkey>-tsig}. */
  public static final String KEY_SECRET_SUFFIX = "-tsig";

  /** Suffix of a nameserver-config Secret's default name. */
  public static final String NAMESERVER_CONFIG_SECRET_SUFFIX = "-nameserver-config";

  /** Suffix of a derived key name: {@code <name>.<namespace>.dnsupdate.io.}. */
  public static final String KEY_NAME_SUFFIX = GROUP + ".";

  /** True when the resource does what it is for (the key is in place, the issuer works). */
  public static final String CONDITION_READY = "Ready";

  /** kstatus: True while the operator is still working towards Ready. */
  public static final String CONDITION_RECONCILING = "Reconciling";

  /** kstatus: True when the operator cannot make progress without user action. */
  public static final String CONDITION_STALLED = "Stalled";

  /** The time part of an ISO-8601 duration with at least one component (RE2 has no lookahead). */
  private static final String ISO_TIME =
      "([0-9]+[Hh]([0-9]+[Mm])?([0-9]+([.,][0-9]+)?[Ss])?"
          + "|[0-9]+[Mm]([0-9]+([.,][0-9]+)?[Ss])?"
          + "|[0-9]+([.,][0-9]+)?[Ss])";

  /**
   * A duration as Go writes it ({@code 90s}, {@code 1h30m}, {@code 720h}) or as ISO-8601 ({@code
   * PT90S}, {@code P30D}). Shared by the CRD schema and {@code Durations.parse}.
   */
  public static final String DURATION_PATTERN =
      "^(([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+"
          + "|[Pp]([0-9]+[Dd]([Tt]"
          + ISO_TIME
          + ")?|[Tt]"
          + ISO_TIME
          + "))$";

  /** A DNS name: LDH labels of 1-63 characters, an optional trailing dot, no wildcard. */
  public static final String DOMAIN_PATTERN =
      "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*"
          + "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";

  /**
   * A DNS name that may hold underscore labels (TSIG key names, zones such as a delegated {@code
   * _acme-challenge.example.com}): like {@link #DOMAIN_PATTERN} with {@code _} allowed.
   */
  public static final String DNS_NAME_PATTERN =
      "^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)*"
          + "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.?$";

  /** {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 literal. */
  public static final String NAMESERVER_PATTERN =
      "^(\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*"
          + "|[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})?(:[0-9]{1,5})?)$";

  /** A Kubernetes object name (RFC 1123 subdomain). */
  public static final String OBJECT_NAME_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * A Kerberos principal: components separated by {@code /} (e.g. {@code DNS/ns1.example.com}),
   * optionally {@code @REALM}. {@code $} for Active Directory computer accounts ({@code HOST$}).
   */
  public static final String KERBEROS_PRINCIPAL_PATTERN =
      "^[A-Za-z0-9._$-]+(/[A-Za-z0-9._-]+)*(@[A-Za-z0-9._-]+)?$";

  /** A Kerberos realm, e.g. {@code EXAMPLE.COM}. */
  public static final String KERBEROS_REALM_PATTERN = "^[A-Za-z0-9._-]+$";

  /** A Secret data key. */
  public static final String SECRET_DATA_KEY_PATTERN = "^[-._a-zA-Z0-9]+$";

  private ApiConstants() {}
}
