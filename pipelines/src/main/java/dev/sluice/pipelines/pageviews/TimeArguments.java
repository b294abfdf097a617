package dev.sluice.pipelines.pageviews;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/** Parses the time arguments users type: durations such as {@code 15m} and ISO-8601 instants. */
public final class TimeArguments {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|min|h|hour|d|day)");
  private static final DateTimeFormatter ISO = ISODateTimeFormat.dateTimeParser().withZoneUTC();

  private TimeArguments() {}

  /**
   * Parses a duration: a whole number and a unit, {@code s}, {@code m} (or {@code min}), {@code h}
   * (or {@code hour}) or {@code d} (or {@code day}): {@code 15m}, {@code 1h}, {@code 1d}.
   *
   * @throws IllegalArgumentException with the accepted forms, for anything else
   */
  public static Duration duration(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "cannot read duration '" + text + "': expected e.g. 30s, 15m, 1h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "s":
        return Duration.standardSeconds(n);
      case "m":
      case "min":
        return Duration.standardMinutes(n);
      case "h":
      case "hour":
        return Duration.standardHours(n);
      default:
        return Duration.standardDays(n);
    }
  }

  /**
   * Parses an ISO-8601 date or date-time, in UTC unless it names an offset: {@code 2017-09-17},
   * {@code 2017-09-17T10:00}, {@code 2017-09-17T10:00:00Z}. Null or blank gives null.
   *
   * @throws IllegalArgumentException for text that is not ISO-8601
   */
  public static @Nullable Instant instant(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return ISO.parseDateTime(text.trim()).toInstant();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read time '" + text + "': expected ISO-8601 such as 2017-09-17T10:00:00Z");
    }
  }
}
