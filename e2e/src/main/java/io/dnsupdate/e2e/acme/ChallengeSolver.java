package io.dnsupdate.e2e.acme;

/**
 * What cert-manager's webhook contract gives a solver: Present, then CleanUp, for several
 * challenges at once.
 */
public interface ChallengeSolver {
  /** Publishes the challenge's TXT value; throws with the solver's message on failure. */
  void present(DnsChallenge challenge) throws Exception;

  /** Removes exactly the challenge's TXT value. */
  void cleanUp(DnsChallenge challenge) throws Exception;
}
