package io.dnsupdate.config;

import io.dnsupdate.api.ApiConstants;
import io.dnsupdate.api.DnsUpdateIssuerSpec;
import io.dnsupdate.api.GssAlgorithm;
import io.dnsupdate.dns.ServerEndpoint;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code tsigKeyRef} or {@code kerberos} of an issuer's spec, validated: exactly one. */
final class CredentialParser {

  private CredentialParser() {}

  /** The credential, or null after adding every problem found to {@code problems}. */
  static IssuerCredential parse(
      DnsUpdateIssuerSpec spec, List<ServerEndpoint> servers, Set<String> problems) {
    DnsUpdateIssuerSpec.TsigKeyRef keyRef = spec.getTsigKeyRef();
    DnsUpdateIssuerSpec.Kerberos kerberos = spec.getKerberos();
    if (keyRef != null && kerberos != null) {
      problems.add(
          "tsigKeyRef and kerberos: both set; keep exactly one (a TSIG key or a Kerberos"
              + " principal signs the updates)");
      return null;
    }
    if (kerberos != null) {
      return kerberos(kerberos, servers, problems);
    }
    String name = keyRef == null ? null : IssuerSettings.blankToNull(keyRef.getName());
    if (name == null) {
      problems.add(
          keyRef == null
              ? "tsigKeyRef or kerberos: one is required, the TsigKey in this namespace or the"
                  + " Kerberos principal that signs updates"
              : "tsigKeyRef.name: required, the TsigKey in this namespace that signs updates");
      return null;
    }
    return new IssuerCredential.TsigKeyRef(name);
  }

  private static IssuerCredential kerberos(
      DnsUpdateIssuerSpec.Kerberos k, List<ServerEndpoint> servers, Set<String> problems) {
    int before = problems.size();
    String principal = IssuerSettings.blankToNull(k.getPrincipal());
    String realm = IssuerSettings.blankToNull(k.getRealm());
    if (principal == null) {
      problems.add("kerberos.principal: required, e.g. acme-dns@EXAMPLE.COM");
    } else if (!principal.matches(ApiConstants.KERBEROS_PRINCIPAL_PATTERN)) {
      problems.add(
          "kerberos.principal: '" + principal + "' is not a Kerberos principal (name@REALM)");
    } else {
      int at = principal.lastIndexOf('@');
      String own = at < 0 ? null : principal.substring(at + 1);
      if (own == null && realm == null) {
        problems.add(
            "kerberos.realm: required when kerberos.principal names no realm; or write the"
                + " principal as "
                + principal
                + "@REALM");
      } else if (own != null && realm != null && !own.equals(realm)) {
        problems.add(
            "kerberos.realm: '"
                + realm
                + "' differs from the realm of kerberos.principal ('"
                + own
                + "'); remove one");
      } else if (own == null) {
        principal = principal + "@" + realm;
      }
    }
    if (realm != null && !realm.matches(ApiConstants.KERBEROS_REALM_PATTERN)) {
      problems.add("kerberos.realm: '" + realm + "' is not a realm name (e.g. EXAMPLE.COM)");
    }
    List<String> kdcs = k.getKdcs() == null ? List.of() : k.getKdcs();
    for (int i = 0; i < kdcs.size(); i++) {
      String kdc = kdcs.get(i);
      if (kdc == null || kdc.isBlank() || !kdc.matches(ApiConstants.NAMESERVER_PATTERN)) {
        problems.add("kerberos.kdcs[" + i + "]: '" + kdc + "' is not host or host:port");
      }
    }
    DnsUpdateIssuerSpec.KeytabSecretRef ref = k.getKeytabSecretRef();
    String secret = ref == null ? null : IssuerSettings.blankToNull(ref.getName());
    String key =
        ref == null || IssuerSettings.blankToNull(ref.getKey()) == null
            ? DnsUpdateIssuerSpec.KeytabSecretRef.DEFAULT_KEY
            : ref.getKey().strip();
    if (secret == null) {
      problems.add(
          "kerberos.keytabSecretRef.name: required, the Secret in this namespace holding the"
              + " principal's keytab");
    }
    String service = IssuerSettings.blankToNull(k.getServicePrincipal());
    if (service != null) {
      if (!service.matches(ApiConstants.KERBEROS_PRINCIPAL_PATTERN) || !service.contains("/")) {
        problems.add(
            "kerberos.servicePrincipal: '"
                + service
                + "' is not a service principal (e.g. DNS/ns1.example.com@EXAMPLE.COM)");
      } else if (!service.contains("@") && principal != null && principal.contains("@")) {
        service = service + "@" + principal.substring(principal.lastIndexOf('@') + 1);
      }
    } else {
      for (int i = 0; i < servers.size(); i++) {
        if (servers.get(i).nameserver().isIpLiteral()) {
          problems.add(
              "kerberos.servicePrincipal: required because nameservers["
                  + i
                  + "] is an IP address; the nameserver's principal is DNS/<its host"
                  + " name>@REALM, e.g. DNS/ns1.example.com@EXAMPLE.COM");
          break;
        }
      }
    }
    if (problems.size() > before) {
      return null;
    }
    GssAlgorithm algorithm = k.getAlgorithm() == null ? GssAlgorithm.GSS_TSIG : k.getAlgorithm();
    return new IssuerCredential.Kerberos(
        principal, kdcs, secret, key, Optional.ofNullable(service), algorithm);
  }
}
