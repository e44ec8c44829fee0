package io.dnsupdate.testkit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.xbill.DNS.Opcode;

/**
 * A DNS forwarder on 127.0.0.1 (UDP and TCP, one port) in front of a nameserver, bytes passed
 * through untouched (TSIG stays valid), that can hold the next query, or the next UPDATE carrying a
 * given value, until told to let it go: a challenge whose zone lookup is held, or queued behind an
 * UPDATE in flight, is deterministically still waiting before its own UPDATE. Keeps the UPDATE
 * messages that pass.
 */
public final class HoldingDnsProxy implements AutoCloseable {
  private final InetSocketAddress upstream;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<byte[]> updates = new CopyOnWriteArrayList<>();
  private final AtomicBoolean holdNext = new AtomicBoolean();
  private final AtomicReference<byte[]> holdUpdateWith = new AtomicReference<>();
  private volatile CountDownLatch held = new CountDownLatch(1);
  private volatile CountDownLatch release = new CountDownLatch(1);

  /** Listens on a free port of 127.0.0.1 and forwards to {@code upstream}. */
  public HoldingDnsProxy(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    tcp = new ServerSocket(0, 50, loopback);
    udp = new DatagramSocket(new InetSocketAddress(loopback, tcp.getLocalPort()));
    threads.execute(this::serveUdp);
    threads.execute(this::serveTcp);
  }

  public int port() {
    return tcp.getLocalPort();
  }

  /** The next query (not an UPDATE) waits until {@link #release()}. */
  public void holdNextQuery() {
    held = new CountDownLatch(1);
    release = new CountDownLatch(1);
    holdNext.set(true);
  }

  /**
   * The next UPDATE whose bytes contain {@code text} (a TXT value) waits until {@link #release()}.
   */
  public void holdNextUpdateWith(String text) {
    held = new CountDownLatch(1);
    release = new CountDownLatch(1);
    holdUpdateWith.set(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Waits until a message is being held. */
  public boolean awaitHeld(long seconds) throws InterruptedException {
    return held.await(seconds, TimeUnit.SECONDS);
  }

  /** Lets the held message go on. */
  public void release() {
    release.countDown();
  }

  /** UPDATE messages passed on so far. */
  public int updates() {
    return updates.size();
  }

  /** UPDATE messages passed on so far that carry {@code text}. */
  public int updatesWith(String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    return (int) updates.stream().filter(m -> contains(m, b)).count();
  }

  /** Keeps an UPDATE; holds it or a query if asked to. */
  private void inspect(byte[] message) {
    if (message.length < 4) {
      return;
    }
    int opcode = (message[2] >> 3) & 0xF;
    boolean hold;
    if (opcode == Opcode.UPDATE) {
      updates.add(message);
      byte[] wanted = holdUpdateWith.get();
      hold =
          wanted != null && contains(message, wanted) && holdUpdateWith.compareAndSet(wanted, null);
    } else {
      hold = holdNext.compareAndSet(true, false);
    }
    if (hold) {
      held.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private void serveUdp() {
    byte[] buf = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        byte[] message = java.util.Arrays.copyOf(p.getData(), p.getLength());
        SocketAddress from = p.getSocketAddress();
        threads.execute(() -> forwardUdp(message, from));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void forwardUdp(byte[] message, SocketAddress from) {
    inspect(message);
    try (DatagramSocket up = new DatagramSocket()) {
      up.setSoTimeout(10_000);
      up.send(new DatagramPacket(message, message.length, upstream));
      byte[] buf = new byte[65535];
      DatagramPacket answer = new DatagramPacket(buf, buf.length);
      up.receive(answer);
      udp.send(new DatagramPacket(buf, answer.getLength(), from));
    } catch (IOException e) {
      // the client times out, as with a lost datagram
    }
  }

  private void serveTcp() {
    while (!tcp.isClosed()) {
      try {
        Socket client = tcp.accept();
        threads.execute(() -> forwardTcp(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void forwardTcp(Socket client) {
    try (client;
        Socket up = new Socket()) {
      up.connect(upstream, 5_000);
      DataInputStream fromClient = new DataInputStream(client.getInputStream());
      DataOutputStream toClient = new DataOutputStream(client.getOutputStream());
      DataInputStream fromUp = new DataInputStream(up.getInputStream());
      DataOutputStream toUp = new DataOutputStream(up.getOutputStream());
      while (true) {
        byte[] message = new byte[fromClient.readUnsignedShort()];
        fromClient.readFully(message);
        inspect(message);
        toUp.writeShort(message.length);
        toUp.write(message);
        toUp.flush();
        byte[] answer = new byte[fromUp.readUnsignedShort()];
        fromUp.readFully(answer);
        toClient.writeShort(answer.length);
        toClient.write(answer);
        toClient.flush();
      }
    } catch (IOException e) {
      // either side closed
    }
  }

  /** Stops forwarding; a held message is let go first. */
  @Override
  public void close() {
    release.countDown();
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
    threads.shutdownNow();
  }
}
