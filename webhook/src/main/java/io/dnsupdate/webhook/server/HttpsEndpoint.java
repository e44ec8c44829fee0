package io.dnsupdate.webhook.server;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener (JDK {@code HttpsServer}): TLS 1.2/1.3 with the reloading serving key, client
 * certificates requested but not required, one handler for every path, and a thread pool large
 * enough for requests that wait on DNS (a challenge may take tens of seconds while its record
 * propagates).
 */
public final class HttpsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpsEndpoint.class);

  /** Requests handled at once; more wait in the queue. kube-apiserver times out after 60 s. */
  static final int MAX_THREADS = 256;

  private final HttpsServer server;
  private final ExecutorService executor;

  private HttpsEndpoint(HttpsServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Binds and starts serving. */
  public static HttpsEndpoint start(
      String bindAddress, int port, ReloadingKeyManager keyManager, HttpHandler handler) {
    SSLContext ssl;
    try {
      ssl = SSLContext.getInstance("TLS");
      ssl.init(
          new KeyManager[] {keyManager},
          new TrustManager[] {new DeferredClientTrustManager()},
          null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
    }
    HttpsServer server;
    try {
      server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 256);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + bindAddress + ":" + port + ": " + e.getMessage(), e);
    }
    server.setHttpsConfigurator(
        new HttpsConfigurator(ssl) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters p = getSSLContext().getDefaultSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            p.setWantClientAuth(true);
            params.setSSLParameters(p);
          }
        });
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            MAX_THREADS,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "https-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    server.createContext("/", handler);
    server.setExecutor(executor);
    server.start();
    log.info("serving HTTPS on {}", server.getAddress());
    return new HttpsEndpoint(server, executor);
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
