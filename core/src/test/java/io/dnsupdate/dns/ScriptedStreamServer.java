package io.dnsupdate.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * A DNS-over-TCP server on 127.0.0.1 whose every connection runs a script the test writes: read
 * requests, answer them in any order, close or reset. What no real nameserver does on demand.
 */
final class ScriptedStreamServer implements AutoCloseable {
  /** What to do with one accepted connection; the n-th connection gets n (from 1). */
  interface Script {
    void run(Connection connection, int n) throws Exception;
  }

  private final ServerSocket server;
  private final Thread acceptor;
  private final AtomicInteger accepted = new AtomicInteger();
  private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  ScriptedStreamServer(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  int n = accepted.incrementAndGet();
                  Thread t =
                      new Thread(
                          () -> {
                            try (Connection c = new Connection(s)) {
                              script.run(c, n);
                            } catch (Exception e) {
                              failures.add(e);
                            }
                          },
                          "scripted-dns-" + n);
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return; // closed
                }
              }
            },
            "scripted-dns-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  int accepted() {
    return accepted.get();
  }

  /** Lets a script tell the test how far it got. */
  void report(String event) {
    events.add(event);
  }

  /** Something a script reported, or "eof" when the client closed a connection; null: none. */
  String nextEvent(long seconds) throws InterruptedException {
    return events.poll(seconds, TimeUnit.SECONDS);
  }

  ServerEndpoint endpoint(long timeoutMillis) {
    return new ServerEndpoint(
        new Nameserver("127.0.0.1", port()),
        Transport.TCP,
        null,
        java.time.Duration.ofMillis(timeoutMillis));
  }

  /** Stops accepting; a script that failed unexpectedly fails the test here. */
  @Override
  public void close() throws IOException {
    server.close();
    Throwable failure = failures.poll();
    if (failure != null) {
      throw new AssertionError("a script failed", failure);
    }
  }

  /**
   * A NOERROR response to {@code request}: its ID, opcode and question, for a script to add records
   * to (and sign) before sending it.
   */
  static Message reply(Message request) {
    Message response = new Message(request.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setOpcode(request.getHeader().getOpcode());
    response.getHeader().setRcode(Rcode.NOERROR);
    response.addRecord(request.getQuestion(), org.xbill.DNS.Section.QUESTION);
    return response;
  }

  /** One accepted connection, with the reads and writes scripts need. */
  final class Connection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** The next request, or null when the client closed the connection. */
    Message read() throws IOException {
      int high = in.read();
      if (high < 0) {
        events.add("eof");
        return null;
      }
      byte[] wire = new byte[(high << 8) | in.readUnsignedByte()];
      in.readFully(wire);
      return new Message(wire);
    }

    /** Answers NOERROR with the request's question, so the client can tell answers apart. */
    void answer(Message request) throws IOException {
      send(reply(request));
    }

    /** Writes a message the script built (with records, signed: whatever it needs). */
    void send(Message message) throws IOException {
      byte[] wire = message.toWire();
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
    }

    /** Answers every request until the client closes the connection. */
    void answerAll() throws IOException {
      for (Message m = read(); m != null; m = read()) {
        answer(m);
      }
    }

    /** Sends a TCP RST instead of a FIN. */
    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
