package io.dnsupdate.dns.gss;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
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

  /**
   * Logs in with a keytab held in memory (read from a Secret): the bytes are written to a file that
   * only this process's user can read, in a directory of its own, for the moment of the login, and
   * removed before this returns. The JDK reads a keytab from a file only; after the login the
   * ticket-granting ticket in the Subject is all a client needs (a client never reads its keytab
   * again; a new login is a new identity).
   *
   * @param principal {@code name@REALM}
   * @param kdcs the realm's KDCs; empty for DNS SRV records
   */
  public static KerberosIdentity login(String principal, List<String> kdcs, byte[] keytab)
      throws GssTsigException {
    return login(principal, kdcs, keytab, "a keytab held in memory");
  }

  /**
   * As {@link #login(String, List, byte[])}; failures name the keytab as {@code source} (e.g. "the
   * keytab in Secret ns/name, key keytab"), not by the temporary file that is gone by then.
   */
  public static KerberosIdentity login(
      String principal, List<String> kdcs, byte[] keytab, String source) throws GssTsigException {
    Path dir = null;
    Path file = null;
    try {
      dir =
          Files.createTempDirectory(
              "dnsupdate-keytab-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      file =
          Files.createFile(
              dir.resolve("keytab"),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, keytab);
      try {
        return login(new KerberosCredentials(principal, file, kdcs));
      } catch (GssTsigException e) {
        throw e.naming("keytab " + file, source);
      }
    } catch (IOException e) {
      throw new GssTsigException(
          GssProblem.KERBEROS_FAILURE,
          "cannot write the keytab of " + principal + " to a private temporary file: " + e);
    } finally {
      deleteQuietly(file);
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // the directory is private to this user; nothing to log that would help
    }
  }

  /**
   * When the ticket-granting ticket expires: from then on no new context can be negotiated, so a
   * holder logs in again before. Empty when the Subject holds none (never after a login).
   */
  public Optional<Instant> ticketExpiry() {
    return subject.getPrivateCredentials(KerberosTicket.class).stream()
        .filter(t -> t.getServer().getName().startsWith("krbtgt/"))
        .map(KerberosTicket::getEndTime)
        .filter(Objects::nonNull)
        .map(java.util.Date::toInstant)
        .min(Instant::compareTo);
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
