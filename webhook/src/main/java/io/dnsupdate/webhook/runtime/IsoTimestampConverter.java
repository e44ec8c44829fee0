package io.dnsupdate.webhook.runtime;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The log line's timestamp, the text of {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}} for less work:
 * date, time and offset are formatted once per second and the milliseconds appended, where
 * logback's date converter formats the whole timestamp for every new millisecond. Every challenge
 * logs one line, and that formatting was ~3% of a challenge's CPU (JFR, WebhookBenchmark).
 */
public final class IsoTimestampConverter extends ClassicConverter {
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("XXX");

  /** One second's formatted date and time (up to the seconds) and offset. */
  private record Second(long epochSecond, String dateTime, String offset) {}

  private final ZoneId zone;
  private volatile Second cached = new Second(Long.MIN_VALUE, "", "");

  /** In the JVM's default zone, as {@code %d}. */
  public IsoTimestampConverter() {
    this(ZoneId.systemDefault());
  }

  IsoTimestampConverter(ZoneId zone) {
    this.zone = zone;
  }

  @Override
  public String convert(ILoggingEvent event) {
    return format(event.getTimeStamp());
  }

  String format(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    Second s = cached;
    if (s.epochSecond() != second) {
      ZonedDateTime t = Instant.ofEpochSecond(second).atZone(zone);
      s = new Second(second, SECOND.format(t), OFFSET.format(t));
      cached = s;
    }
    StringBuilder b = new StringBuilder(29).append(s.dateTime()).append('.');
    if (millis < 100) {
      b.append('0');
    }
    if (millis < 10) {
      b.append('0');
    }
    return b.append(millis).append(s.offset()).toString();
  }
}
