package io.dnsupdate.testkit;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/** Makes sure a 127.0.0.x address is assigned to an interface, which BIND needs to listen there. */
final class LoopbackAddresses {

  private LoopbackAddresses() {}

  /**
   * Linux routes all of 127.0.0.0/8 to lo and lets any socket bind there, but named only listens on
   * addresses it finds on an interface (getifaddrs), and lo carries just 127.0.0.1. Without this,
   * named on 127.0.0.2 starts "fine" and never answers. As root we add the address to lo (harmless
   * and idempotent); otherwise we say what to run.
   */
  static synchronized void ensureAssigned(String address) {
    InetAddress a;
    try {
      a = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad address " + address, e);
    }
    if (isAssigned(a) || !a.isLoopbackAddress()) {
      return;
    }
    String hint =
        "named listens only on addresses assigned to an interface; run: ip addr add "
            + address
            + "/32 dev lo";
    if (!isRoot()) {
      throw new IllegalStateException(hint + " (as root)");
    }
    CommandResult r = Commands.run("ip", "addr", "add", address + "/32", "dev", "lo");
    if (!r.ok() && !r.output().contains("File exists")) {
      throw new IllegalStateException(hint + " (failed: " + r.output().strip() + ")");
    }
    if (!isAssigned(a)) {
      throw new IllegalStateException(hint + " (added, but not visible)");
    }
  }

  private static boolean isAssigned(InetAddress a) {
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private static boolean isRoot() {
    try {
      return "0".equals(Commands.run("id", "-u").output().strip());
    } catch (RuntimeException | Error e) {
      return false;
    }
  }
}
