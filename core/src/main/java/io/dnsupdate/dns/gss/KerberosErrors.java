package io.dnsupdate.dns.gss;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ietf.jgss.GSSException;

/**
 * Turns the JDK's Kerberos failures (a LoginException or GSSException wrapping an internal
 * KrbException whose message ends with the RFC 4120 error code) into {@link GssTsigException}s.
 */
final class KerberosErrors {

  // RFC 4120 §7.5.9 error codes.
  private static final int C_PRINCIPAL_UNKNOWN = 6;
  private static final int S_PRINCIPAL_UNKNOWN = 7;
  private static final int PREAUTH_FAILED = 24;
  private static final int AP_ERR_BAD_INTEGRITY = 31;
  private static final int AP_ERR_SKEW = 37;
  private static final int AP_ERR_MODIFIED = 41;
  private static final int AP_ERR_BADKEYVER = 44;

  private static final Pattern CODE = Pattern.compile("\\((\\d{1,2})\\)");

  private KerberosErrors() {}

  /** A failure to log in (get a TGT) as {@code principal} from the keytab. */
  static GssTsigException login(Throwable e, KerberosCredentials c) {
    String who = "Kerberos login as '" + c.principal() + "' with keytab " + c.keytab();
    String kdcs = c.kdcs().isEmpty() ? "found by DNS SRV records" : String.join(", ", c.kdcs());
    if (unreachable(e)) {
      return new GssTsigException(
          GssProblem.KDC_UNREACHABLE,
          who + " failed: no KDC of realm " + c.realm() + " answered (" + kdcs + ")",
          e);
    }
    int code = code(e);
    String text = texts(e);
    if (code == C_PRINCIPAL_UNKNOWN) {
      return new GssTsigException(
          GssProblem.PRINCIPAL_UNKNOWN,
          who + " failed: the KDC does not know principal '" + c.principal() + "'",
          e);
    }
    if (code == AP_ERR_SKEW) {
      return clockSkew(who, e);
    }
    if (code == PREAUTH_FAILED
        || code == AP_ERR_BAD_INTEGRITY
        || code == AP_ERR_MODIFIED
        || code == AP_ERR_BADKEYVER
        || text.contains("Unable to obtain password")
        || text.contains("Checksum failed")
        || text.contains("Integrity check")) {
      return new GssTsigException(
          GssProblem.KEYTAB_REJECTED,
          who
              + " failed: the keytab holds no valid key for this principal (exported before the key"
              + " was changed, or for another principal); export a fresh keytab",
          e);
    }
    return new GssTsigException(
        GssProblem.KERBEROS_FAILURE, who + " failed: " + firstMessage(e), e);
  }

  /** A failure to get a service ticket or to run the GSS context with the nameserver. */
  static GssTsigException context(Throwable e, String servicePrincipal, String server) {
    String what = "GSS-API context for '" + servicePrincipal + "' at nameserver " + server;
    if (unreachable(e)) {
      return new GssTsigException(
          GssProblem.KDC_UNREACHABLE, what + ": no KDC answered for a service ticket", e);
    }
    int code = code(e);
    if (code == S_PRINCIPAL_UNKNOWN) {
      return new GssTsigException(
          GssProblem.SERVICE_PRINCIPAL_UNKNOWN,
          what
              + ": the KDC does not know the service principal; create it (and give the nameserver"
              + " its keytab), or configure the right service principal",
          e);
    }
    if (code == AP_ERR_SKEW) {
      return clockSkew(what, e);
    }
    return new GssTsigException(GssProblem.KERBEROS_FAILURE, what + ": " + firstMessage(e), e);
  }

  private static GssTsigException clockSkew(String what, Throwable e) {
    return new GssTsigException(
        GssProblem.CLOCK_SKEW,
        what + " failed: the clocks of this machine and the KDC differ too much; synchronise them",
        e);
  }

  private static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof SocketTimeoutException) {
        return true;
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("Cannot locate KDC")
          || m.contains("Cannot contact any KDC")
          || m.contains("Receive timed out")
          || m.contains("Connection refused")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The Kerberos error code: a GSSException's minor code, or the "(N)" the JDK puts after the error
   * text of a KrbException (also copied into the GSSException's message, e.g. "Server not found in
   * Kerberos database (7) - LOOKING_UP_SERVER").
   */
  private static int code(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof GSSException g && g.getMinor() > 0) {
        return g.getMinor();
      }
      boolean kerberos =
          t instanceof GSSException || t.getClass().getName().startsWith("sun.security.krb5.");
      if (kerberos && t.getMessage() != null) {
        Matcher m = CODE.matcher(t.getMessage());
        int code = -1;
        while (m.find()) {
          code = Integer.parseInt(m.group(1));
        }
        if (code > 0) {
          return code;
        }
      }
    }
    return -1;
  }

  private static String texts(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      s.append(t.getMessage()).append('\n');
    }
    return s.toString();
  }

  private static String firstMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return e.getClass().getSimpleName();
  }
}
