package io.dnsupdate.e2e.acme;

import java.net.URI;
import java.security.KeyPair;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * the way cert-manager hands it to a webhook: Present all, let the CA validate, CleanUp all.
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

  /** Orders a certificate for {@code domains} ({@code *.} allowed) and returns its chain. */
  public IssuedChain order(List<String> domains, ChallengeSolver solver, Duration timeout)
      throws Exception {
    Account account =
        new AccountBuilder()
            .agreeToTermsOfService()
            .useKeyPair(KeyPairUtils.createECKeyPair("secp256r1"))
            .create(session);
    Order order = account.newOrder().domains(domains).create();
    progress.accept("order created for " + String.join(", ", domains));

    List<DnsChallenge> presented = new ArrayList<>();
    try {
      List<Dns01Challenge> triggered = new ArrayList<>();
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
        solver.present(dns);
        presented.add(dns);
        triggered.add(challenge);
        progress.accept("challenge presented: " + dns);
      }
      for (Dns01Challenge challenge : triggered) {
        challenge.trigger();
      }
      for (Authorization auth : order.getAuthorizations()) {
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
      }
      KeyPair domainKey = KeyPairUtils.createECKeyPair("secp256r1");
      order.waitUntilReady(timeout);
      order.execute(domainKey);
      Status status = order.waitForCompletion(timeout);
      if (status != Status.VALID) {
        throw new AcmeException("order ended " + status + ": " + order.getError().orElse(null));
      }
      return new IssuedChain(order.getCertificate().getCertificateChain(), domainKey);
    } finally {
      for (DnsChallenge dns : presented) {
        solver.cleanUp(dns);
        progress.accept("cleaned up: " + dns);
      }
    }
  }
}
