package io.dnsupdate.e2e.acme;

import java.net.URI;
import java.security.KeyPair;
import java.security.Security;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * Orders a certificate with dns-01 challenges, handing each challenge to a {@link ChallengeSolver}
 * the way cert-manager hands it to a webhook: Present all at once, let the CA validate, CleanUp
 * each as it is validated.
 */
public final class AcmeOrderClient {
  static {
    // acme4j makes EC keys through the "BC" provider
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Security.addProvider(new BouncyCastleProvider());
    }
  }

  private final Session session;
  private final Consumer<String> progress;

  /**
   * @param trust the TLS context that trusts the ACME server's HTTPS certificate
   * @param progress receives one line per step, for the demo's output
   */
  public AcmeOrderClient(URI directory, SSLContext trust, Consumer<String> progress) {
    this.session = new Session(directory, new TrustingAcmeProvider(trust));
    this.progress = progress;
  }

  /**
   * Orders a certificate for {@code domains} ({@code *.} allowed) and returns its chain, as
   * cert-manager does: every challenge is presented and accepted concurrently (cert-manager runs
   * one Challenge resource per authorization side by side), each is cleaned up as soon as its
   * authorization is valid, while the order goes on; all clean-ups have finished when this returns.
   */
  public IssuedChain order(List<String> domains, ChallengeSolver solver, Duration timeout)
      throws Exception {
    Account account =
        new AccountBuilder()
            .agreeToTermsOfService()
            .useKeyPair(KeyPairUtils.createECKeyPair("secp256r1"))
            .create(session);
    progress.accept("ACME account registered");
    long ordered = System.nanoTime();
    Order order = account.newOrder().domains(domains).create();
    progress.accept("order created for " + String.join(", ", domains));

    ExecutorService workers = Executors.newCachedThreadPool();
    Map<DnsChallenge, Future<?>> presented = new ConcurrentHashMap<>();
    Map<DnsChallenge, Future<?>> cleanups = new LinkedHashMap<>();
    try {
      Map<Authorization, DnsChallenge> pending = new LinkedHashMap<>();
      for (Authorization auth : order.getAuthorizations()) {
        if (auth.getStatus() == Status.VALID) {
          continue;
        }
        Dns01Challenge challenge =
            auth.findChallenge(Dns01Challenge.class)
                .orElseThrow(() -> new AcmeException("no dns-01 challenge for " + auth));
        DnsChallenge dns =
            new DnsChallenge(
                auth.getIdentifier().getDomain(),
                Dns01Challenge.toRRName(auth.getIdentifier()),
                challenge.getDigest(),
                auth.isWildcard());
        pending.put(auth, dns);
        presented.put(
            dns,
            workers.submit(
                () -> {
                  solver.present(dns);
                  progress.accept("challenge presented: " + dns);
                  challenge.trigger();
                  return null;
                }));
      }
      for (Future<?> present : presented.values()) {
        await(present);
      }
      for (Map.Entry<Authorization, DnsChallenge> e : pending.entrySet()) {
        Authorization auth = e.getKey();
        Status status = auth.waitForCompletion(timeout);
        if (status != Status.VALID) {
          throw new AcmeException(
              "authorization for "
                  + auth.getIdentifier().getDomain()
                  + " ended "
                  + status
                  + ": "
                  + auth.getChallenges().stream()
                      .map(c -> c.getError().map(Object::toString).orElse(""))
                      .toList());
        }
        progress.accept(
            "validated by the CA: "
                + (auth.isWildcard() ? "*." : "")
                + auth.getIdentifier().getDomain());
        cleanups.put(e.getValue(), workers.submit(() -> cleanUp(solver, e.getValue())));
      }
      KeyPair domainKey = KeyPairUtils.createECKeyPair("secp256r1");
      order.waitUntilReady(timeout);
      order.execute(domainKey);
      Status status = order.waitForCompletion(timeout);
      if (status != Status.VALID) {
        throw new AcmeException("order ended " + status + ": " + order.getError().orElse(null));
      }
      IssuedChain chain = new IssuedChain(order.getCertificate().getCertificateChain(), domainKey);
      progress.accept(
          String.format(
              Locale.ROOT,
              "certificate downloaded %.2f s after the order was created",
              (System.nanoTime() - ordered) / 1e9));
      return chain;
    } finally {
      // a challenge whose Present was sent is cleaned up, even when the order failed
      for (Map.Entry<DnsChallenge, Future<?>> e : presented.entrySet()) {
        cleanups.computeIfAbsent(e.getKey(), dns -> workers.submit(() -> cleanUp(solver, dns)));
      }
      workers.shutdown();
      for (Future<?> cleanup : cleanups.values()) {
        await(cleanup);
      }
    }
  }

  private Void cleanUp(ChallengeSolver solver, DnsChallenge dns) throws Exception {
    solver.cleanUp(dns);
    progress.accept("cleaned up: " + dns);
    return null;
  }

  /** Waits for a task and throws what it threw. */
  private static void await(Future<?> task) throws Exception {
    try {
      task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
