package io.dnsupdate.dns.gss;

import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * A Kerberos client logged in from a keytab: the JAAS {@link Subject} holding its ticket-granting
 * ticket. Built with a JAAS configuration made in code (no jaas.conf, no ticket cache, no kinit).
 */
public final class KerberosIdentity {

  private static final String KRB5_LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule";

  private final KerberosCredentials credentials;
  private final Subject subject;

  private KerberosIdentity(KerberosCredentials credentials, Subject subject) {
    this.credentials = credentials;
    this.subject = subject;
  }

  /**
   * Logs in: asks a KDC of the principal's realm for a ticket-granting ticket with the keytab's
   * key.
   *
   * @throws GssTsigException KDC_UNREACHABLE, PRINCIPAL_UNKNOWN, KEYTAB_REJECTED, CLOCK_SKEW
   */
  public static KerberosIdentity login(KerberosCredentials credentials) throws GssTsigException {
    boolean refresh = Krb5Configuration.use(credentials.realm(), credentials.kdcs());
    Map<String, String> options =
        Map.of(
            "useKeyTab", "true",
            "keyTab", credentials.keytab().toString(),
            "principal", credentials.principal(),
            "storeKey", "true",
            "doNotPrompt", "true",
            "isInitiator", "true",
            "useTicketCache", "false",
            // The JDK caches krb5.conf in a singleton: reread it when a realm or KDC list is new.
            "refreshKrb5Config", Boolean.toString(refresh));
    Configuration config =
        new Configuration() {
          @Override
          public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            return new AppConfigurationEntry[] {
              new AppConfigurationEntry(
                  KRB5_LOGIN_MODULE, AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)
            };
          }
        };
    Subject subject = new Subject();
    try {
      new LoginContext("dnsupdate-gss-tsig", subject, null, config).login();
    } catch (LoginException e) {
      throw KerberosErrors.login(e, credentials);
    }
    return new KerberosIdentity(credentials, subject);
  }

  /** The credentials this identity logged in with. */
  public KerberosCredentials credentials() {
    return credentials;
  }

  /** The principal, {@code name@REALM}. */
  public String principal() {
    return credentials.principal();
  }

  /** Runs an action with this identity's tickets (the JDK's GSS-API finds them in the Subject). */
  <T> T run(PrivilegedExceptionAction<T> action) throws Exception {
    try {
      return Subject.doAs(subject, action);
    } catch (PrivilegedActionException e) {
      throw e.getException();
    }
  }

  @Override
  public String toString() {
    return "KerberosIdentity[" + credentials.principal() + "]";
  }
}
