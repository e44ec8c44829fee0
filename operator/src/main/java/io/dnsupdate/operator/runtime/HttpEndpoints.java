package io.dnsupdate.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (liveness), {@code /readyz} (readiness) and {@code /metrics} (Prometheus text)
 * on the JDK's HTTP server. Unauthenticated and read-only; nothing secret is served.
 */
public final class HttpEndpoints implements AutoCloseable {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoints(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Binds and serves; {@code port} 0 picks a free one (see {@link #port()}). */
  public static HttpEndpoints start(
      String address,
      int port,
      BooleanSupplier healthy,
      BooleanSupplier ready,
      PrometheusMeterRegistry registry) {
    Objects.requireNonNull(healthy, "healthy");
    Objects.requireNonNull(ready, "ready");
    Objects.requireNonNull(registry, "registry");
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address + ":" + port, e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/healthz", ex -> probe(ex, healthy));
    server.createContext("/readyz", ex -> probe(ex, ready));
    server.createContext("/livez", ex -> probe(ex, healthy));
    server.createContext(
        "/metrics",
        ex -> {
          if (allowed(ex, "/metrics")) {
            send(ex, 200, PROMETHEUS_TEXT, registry.scrape());
          }
        });
    server.createContext("/", ex -> send(ex, 404, TEXT, "not found\n"));
    server.start();
    return new HttpEndpoints(server, executor);
  }

  /** The port actually bound. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void probe(HttpExchange ex, BooleanSupplier check) throws IOException {
    if (!allowed(ex, ex.getHttpContext().getPath())) {
      return;
    }
    boolean ok;
    try {
      ok = check.getAsBoolean();
    } catch (RuntimeException e) {
      ok = false;
    }
    send(ex, ok ? 200 : 503, TEXT, ok ? "ok\n" : "unavailable\n");
  }

  /** GET or HEAD on exactly the context path; answers 404/405 itself otherwise. */
  private static boolean allowed(HttpExchange ex, String path) throws IOException {
    if (!ex.getRequestURI().getPath().equals(path)) {
      send(ex, 404, TEXT, "not found\n");
      return false;
    }
    String method = ex.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      ex.getResponseHeaders().set("Allow", "GET, HEAD");
      send(ex, 405, TEXT, "method not allowed\n");
      return false;
    }
    return true;
  }

  private static void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }
}
