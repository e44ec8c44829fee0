package io.dnsupdate.webhook.challenge;

import io.dnsupdate.testkit.k8s.FrontProxyClient;
import io.dnsupdate.webhook.WebhookFixture;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * WebhookBenchmark's caller over Jetty's own HTTP/2 client: one connection, a stream per challenge,
 * sent asynchronously. kube-apiserver's aggregator is a separate Go process whose h2 client costs
 * little; in this process the JDK 17 h2 client costs more CPU than the webhook itself, which on 2
 * cores slows the webhook it measures. Jetty's client is a cheaper stand-in for the Go one. Same
 * identity as the other rows: the front-proxy client certificate's SSLContext and the headers of
 * {@link FrontProxyClient#request(String)}.
 */
final class JettyH2Caller implements AutoCloseable {
  /**
   * Few threads, as a Go client's goroutines run on GOMAXPROCS (2 here) threads: one is the
   * selector, the others parse frames and run the completion callbacks. More would only compete
   * with the webhook's threads for the 2 cores and make the client's share the noisier.
   */
  private static final int THREADS = 3;

  private final HttpClient http;
  private final QueuedThreadPool threads;
  private final FrontProxyClient identity;

  private JettyH2Caller(HttpClient http, QueuedThreadPool threads, FrontProxyClient identity) {
    this.http = http;
    this.threads = threads;
    this.identity = identity;
  }

  /**
   * A started client with its one connection open (a GET first, so the connection exists before
   * 1,000 streams want it). Its threads are named {@code jetty-h2-client-*}: not the webhook's
   * ({@code https*}) in the CPU split.
   */
  static JettyH2Caller open(WebhookFixture fixture, FrontProxyClient identity, int maxQueued)
      throws Exception {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setSslContext(fixture.frontProxyCert.sslContext(fixture.servingCa));
    // the JDK client verifies the serving certificate's name; so does this (the default, set to
    // say so): a row that skipped it would do less work than the others
    tls.setEndpointIdentificationAlgorithm("HTTPS");
    // min == max: no threads started or ended while measuring (a 2-thread minimum with idle
    // expiry would add that work to the client's share)
    QueuedThreadPool threads = new QueuedThreadPool(THREADS, THREADS);
    threads.setName("jetty-h2-client");
    // a reserved thread would sit idle waiting for work the other threads take anyway; with 3
    // threads there is none to spare
    threads.setReservedThreads(0);
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(tls);
    connector.setExecutor(threads);
    connector.setSelectors(1);
    HTTP2Client h2 = new HTTP2Client(connector);
    HttpClient http = new HttpClient(new HttpClientTransportOverHTTP2(h2));
    http.setExecutor(threads);
    // one connection, as the JDK h2 row: streams beyond the server's concurrent-stream limit wait
    // in the client's queue instead of opening a second connection (Jetty's default allows 64)
    http.setMaxConnectionsPerDestination(1);
    http.setMaxRequestsQueuedPerDestination(maxQueued);
    http.setUserAgentField(null); // the identity headers carry FrontProxyClient's User-Agent
    http.start();
    JettyH2Caller caller = new JettyH2Caller(http, threads, identity);
    try {
      FrontProxyClient.Response r = caller.send(caller.request("/apis", HttpMethod.GET)).join();
      if (r.version() != java.net.http.HttpClient.Version.HTTP_2) {
        throw new IllegalStateException("the Jetty client's connection is " + r.version());
      }
    } catch (RuntimeException e) {
      caller.close();
      throw e;
    }
    return caller;
  }

  /** POSTs one ChallengePayload, as {@link FrontProxyClient#postChallenge(String)} does. */
  CompletableFuture<FrontProxyClient.Response> postChallenge(String json) {
    Request r = request(FrontProxyClient.CHALLENGE_PATH, HttpMethod.POST);
    r.headers(h -> h.put("Accept", "application/json, */*"));
    r.body(new StringRequestContent("application/json", json, StandardCharsets.UTF_8));
    return send(r);
  }

  /**
   * A request with the identity headers of {@link FrontProxyClient#request(String)}, copied from a
   * JDK request it builds, so both rows send the same headers and timeout.
   */
  private Request request(String path, HttpMethod method) {
    HttpRequest template = identity.request(path).GET().build();
    Request r = http.newRequest(template.uri()).method(method).version(HttpVersion.HTTP_2);
    template.timeout().ifPresent(t -> r.timeout(t.toMillis(), TimeUnit.MILLISECONDS));
    r.headers(
        h ->
            template
                .headers()
                .map()
                .forEach((name, values) -> values.forEach(v -> h.add(name, v))));
    return r;
  }

  /**
   * Sends asynchronously; completes with the answer (status, body, headers, protocol) or
   * exceptionally with the failure (a reset stream, a timeout, a full queue), which the benchmark
   * counts as the JDK rows' "no answer".
   */
  private static CompletableFuture<FrontProxyClient.Response> send(Request request) {
    CompletableFuture<FrontProxyClient.Response> answer = new CompletableFuture<>();
    // the default 2 MiB cap: a ChallengePayload answer is under 1 KiB
    request.send(
        new BufferingResponseListener() {
          @Override
          public void onComplete(Result result) {
            if (result.isFailed()) {
              answer.completeExceptionally(result.getFailure());
              return;
            }
            var response = result.getResponse();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (HttpField f : response.getHeaders()) {
              headers.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
            }
            answer.complete(
                new FrontProxyClient.Response(
                    response.getStatus(),
                    getContentAsString(StandardCharsets.UTF_8),
                    HttpHeaders.of(headers, (k, v) -> true),
                    response.getVersion() == HttpVersion.HTTP_2
                        ? java.net.http.HttpClient.Version.HTTP_2
                        : java.net.http.HttpClient.Version.HTTP_1_1));
          }
        });
    return answer;
  }

  /** Stops the client: its connection, selector and threads. */
  @Override
  public void close() throws Exception {
    try {
      http.stop();
    } finally {
      threads.stop(); // already stopped with the client, which manages it; said here to be sure
    }
    // its threads must not run on into the next row's CPU split (stop() joins them)
    long left =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("jetty-h2-client"))
            .count();
    if (left > 0) {
      throw new IllegalStateException(left + " Jetty client threads still alive after stop()");
    }
  }
}
