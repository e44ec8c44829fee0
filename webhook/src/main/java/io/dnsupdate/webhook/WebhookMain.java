package io.dnsupdate.webhook;

import io.dnsupdate.cli.UsageException;
import io.dnsupdate.webhook.runtime.CdsTraining;
import io.dnsupdate.webhook.runtime.Webhook;
import io.dnsupdate.webhook.runtime.WebhookConfig;

/**
 * Entry point of the webhook image: configuration from {@code --flag=value} arguments and the
 * environment (see {@link WebhookConfig#usage()}), then serve until the process is stopped.
 */
public final class WebhookMain {
  private WebhookMain() {}

  /**
   * Starts the webhook in this process and returns its handle; closing the handle stops it. Used by
   * {@link #main} and by tests that run the webhook in-process against a mock API server, e.g.
   * {@code start(new String[] {"--kubeconfig=/tmp/kc", "--https-port=0", ...})}.
   *
   * @throws IllegalArgumentException on bad flags or an unusable serving certificate
   */
  public static Webhook start(String[] args) {
    return Webhook.start(WebhookConfig.parse(args, System.getenv()));
  }

  /**
   * Serves until SIGTERM; with {@code --cds-training}, makes a dry start for the class-data archive
   * and exits.
   */
  public static void main(String[] args) throws InterruptedException {
    Webhook webhook;
    try {
      WebhookConfig config = WebhookConfig.parse(args, System.getenv());
      if (config.cdsTraining()) {
        CdsTraining.run(config);
        System.exit(0);
        return;
      }
      webhook = Webhook.start(config);
    } catch (UsageException e) {
      if (e.helpRequested()) {
        System.out.print(e.getMessage());
      } else {
        System.err.println("dnsupdate-webhook: " + e.getMessage().strip());
      }
      System.exit(e.exitCode());
      return;
    } catch (IllegalArgumentException e) {
      // an unusable serving certificate or key: a configuration error like a bad flag
      System.err.println("dnsupdate-webhook: " + e.getMessage());
      System.exit(2);
      return;
    }
    // SIGTERM: fail readiness, refuse new challenges, let those in progress finish, then stop
    Runtime.getRuntime().addShutdownHook(new Thread(webhook::shutdown, "shutdown"));
    webhook.awaitTermination();
  }
}
