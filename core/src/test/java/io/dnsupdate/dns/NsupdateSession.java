package io.dnsupdate.dns;

import io.dnsupdate.testkit.Commands;
import io.dnsupdate.testkit.NamedServer;
import io.dnsupdate.testkit.TestTsigKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code nsupdate -v} process fed one UPDATE at a time over a pipe, so the benchmark times each
 * message of nsupdate the way it times the engine's: from handing over the change to holding the
 * server's answer. After each {@code send} the script asks for {@code answer}, which nsupdate
 * prints only once the reply has arrived; its header line marks the end of the message's time.
 * stdout is line-buffered through {@code stdbuf}, as nsupdate writes a pipe in blocks otherwise.
 */
final class NsupdateSession implements AutoCloseable {
  private static final String HEADER = ";; ->>HEADER<<-";

  private final Process process;
  private final OutputStream in;
  private final BufferedReader out;

  NsupdateSession(NamedServer named, TestTsigKey key) throws IOException {
    process =
        new ProcessBuilder(
                List.of(
                    Commands.executable("stdbuf"),
                    "-oL",
                    Commands.executable("nsupdate"),
                    "-v",
                    "-t",
                    "10",
                    "-y",
                    key.nsupdateArg()))
            .redirectErrorStream(true)
            .start();
    in = process.getOutputStream();
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    command("server " + named.address() + " " + named.port() + "\n");
  }

  /**
   * Sends one UPDATE made of {@code updateLines} (e.g. {@code "update add n. 60 TXT v"}) and waits
   * for its answer.
   *
   * @return the answer's status, e.g. {@code NOERROR}
   */
  String send(String zone, String... updateLines) throws IOException {
    StringBuilder script = new StringBuilder("zone ").append(zone).append('\n');
    for (String line : updateLines) {
      script.append(line).append('\n');
    }
    command(script.append("send\nanswer\n").toString());
    String header = awaitHeader();
    int at = header.indexOf("status: ");
    return header.substring(at + 8, header.indexOf(',', at));
  }

  /** Reads up to the next message header nsupdate prints, skipping the rest of the last one. */
  private String awaitHeader() throws IOException {
    while (true) {
      String line = out.readLine();
      if (line == null) {
        throw new IOException("nsupdate ended: exit " + exitCode());
      }
      if (line.startsWith(HEADER)) {
        return line;
      }
    }
  }

  /**
   * Runs {@code lines} as one script (several {@code send}s, say) and waits until nsupdate has
   * worked through all of them: a {@code show} after the last prints only then.
   */
  void script(List<String> lines) throws IOException {
    command(String.join("\n", lines) + "\nshow\n");
    awaitHeader();
  }

  /**
   * A command that sends nothing ({@code show} prints the pending, empty message): the time of the
   * pipe hops and the command loop alone, which {@link #send} includes too.
   */
  void show() throws IOException {
    command("show\n");
    awaitHeader();
  }

  private void command(String text) throws IOException {
    in.write(text.getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "none";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
