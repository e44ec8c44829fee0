package io.dnsupdate.webhook.server;

import io.dnsupdate.text.LogSafe;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error Jetty answers by itself — a request it cannot parse (bad {@code Content-Length},
 * conflicting {@code Transfer-Encoding}, oversized headers, a bad URI) or an error no handler
 * answered — as a Kubernetes {@code Status}, as kube-apiserver would answer, never an HTML page.
 */
final class StatusErrorHandler extends ErrorHandler {
  private static final HttpField JSON = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");

  /** Parse errors: written by the connection itself, before any handler runs. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(JSON);
    return ByteBuffer.wrap(
        Statuses.failure(status, Statuses.reasonFor(status), text(status, reason)));
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(JSON);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
    response.write(
        true,
        ByteBuffer.wrap(Statuses.failure(code, Statuses.reasonFor(code), text(code, message))),
        callback);
  }

  /** Jetty's reason, escaped: parser messages can quote what the client sent. */
  private static String text(int status, String reason) {
    String standard = HttpStatus.getMessage(status);
    if (reason == null || reason.isBlank() || reason.equals(standard)) {
      return standard;
    }
    return standard + ": " + LogSafe.of(reason);
  }
}
