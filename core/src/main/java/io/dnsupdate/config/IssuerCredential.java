package io.dnsupdate.config;

import io.dnsupdate.api.GssAlgorithm;
import io.dnsupdate.dns.ServerEndpoint;
import io.dnsupdate.dns.gss.GssTsigSession;
import io.dnsupdate.dns.gss.KerberosCredentials;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What signs an issuer's UPDATE messages: a TsigKey, or a Kerberos principal (GSS-TSIG). */
public sealed interface IssuerCredential {

  /** Which object holds the secret, as messages name it ({@code TsigKey ns/name}, ...). */
  String describe(String namespace);

  /** A TsigKey in the issuer's namespace; its key Secret holds the HMAC key. */
  record TsigKeyRef(String name) implements IssuerCredential {
    public TsigKeyRef {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String describe(String namespace) {
      return "TsigKey " + namespace + "/" + name;
    }
  }

  /**
   * A Kerberos principal whose keytab is in a Secret of the issuer's namespace.
   *
   * @param principal the client principal, {@code name@REALM}
   * @param kdcs the realm's KDCs ({@code host} or {@code host:port}); empty for DNS SRV records
   * @param keytabSecret name of the Secret holding the keytab
   * @param keytabKey the data key of the keytab in that Secret
   * @param servicePrincipal the nameservers' principal; empty for {@code DNS/<host>@REALM} each
   * @param algorithm the GSS-TSIG algorithm name to sign under
   */
  record Kerberos(
      String principal,
      List<String> kdcs,
      String keytabSecret,
      String keytabKey,
      Optional<String> servicePrincipal,
      GssAlgorithm algorithm)
      implements IssuerCredential {
    public Kerberos {
      Objects.requireNonNull(principal, "principal");
      kdcs = List.copyOf(kdcs);
      Objects.requireNonNull(keytabSecret, "keytabSecret");
      Objects.requireNonNull(keytabKey, "keytabKey");
      Objects.requireNonNull(servicePrincipal, "servicePrincipal");
      Objects.requireNonNull(algorithm, "algorithm");
    }

    /** The realm, from the principal. */
    public String realm() {
      return principal.substring(principal.lastIndexOf('@') + 1);
    }

    /** The login of this principal with the keytab written at {@code keytab}. */
    public KerberosCredentials credentials(Path keytab) {
      return new KerberosCredentials(principal, keytab, kdcs);
    }

    /**
     * The host name a server is known by in Kerberos: the host of the service principal when one is
     * written ({@code DNS/host@REALM}), else the server's own host name.
     */
    public String serverName(ServerEndpoint server) {
      return servicePrincipal.map(Kerberos::hostOf).orElse(server.nameserver().host());
    }

    /** The principal a server is asked for: the written one, or {@code DNS/<host>@REALM}. */
    public String servicePrincipalFor(ServerEndpoint server) {
      return servicePrincipal.orElseGet(
          () -> GssTsigSession.servicePrincipal(server.nameserver().host(), realm()));
    }

    @Override
    public String describe(String namespace) {
      return "Kerberos principal "
          + principal
          + " (keytab in Secret "
          + namespace
          + "/"
          + keytabSecret
          + ")";
    }

    private static String hostOf(String principal) {
      int slash = principal.indexOf('/');
      int at = principal.lastIndexOf('@');
      return principal.substring(slash + 1, at < 0 ? principal.length() : at);
    }
  }
}
