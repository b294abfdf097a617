package dev.sluice.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Instant;
import org.joda.time.Interval;

/**
 * Hive-style partition values in file paths: {@code ROOT/year=2017/month=09/day=17/hour=10/
 * customer=a.com/part-0.parquet} holds {@code year=2017, month=09, day=17, hour=10,
 * customer=a.com}. Values are the strings of the path, zero padding kept; {@code %XX} escapes (as
 * Hive and Spark write them) are decoded.
 *
 * <p>The time partitions {@code year}, {@code month}, {@code day} and {@code hour} (UTC) give the
 * span of time a partition can hold, which is what pruning by {@code --from}/{@code --to} uses.
 */
public final class HivePartitions {

  private HivePartitions() {}

  /**
   * The partition values of a file, in path order: every directory segment of {@code path} shaped
   * {@code key=value}, so a root that is itself inside a partition ({@code ROOT/year=2017}) still
   * gives {@code year}. A later segment with the same key wins.
   *
   * @param path a file path or URI
   * @return an unmodifiable map from key to value
   */
  public static Map<String, String> values(String path) {
    Map<String, String> values = new LinkedHashMap<>();
    String[] segments = path.split("/");
    for (int i = 0; i < segments.length - 1; i++) {
      int eq = segments[i].indexOf('=');
      if (eq > 0) {
        values.put(segments[i].substring(0, eq), unescape(segments[i].substring(eq + 1)));
      }
    }
    return Collections.unmodifiableMap(values);
  }

  /**
   * The span of time (UTC) a partition can hold, from its {@code year}, {@code month}, {@code day}
   * and {@code hour} values: a year, month, day or hour. Null when there is no {@code year}, or a
   * time value is not a number in range (such a partition is never pruned).
   *
   * @param values partition values, as from {@link #values}
   * @return the span, start inclusive and end exclusive, or null
   */
  public static @Nullable Interval timeSpan(Map<String, String> values) {
    try {
      String year = values.get("year");
      if (year == null) {
        return null;
      }
      DateTime start = new DateTime(Integer.parseInt(year), 1, 1, 0, 0, DateTimeZone.UTC);
      String month = values.get("month");
      if (month == null) {
        return new Interval(start, start.plusYears(1));
      }
      start = start.withMonthOfYear(Integer.parseInt(month));
      String day = values.get("day");
      if (day == null) {
        return new Interval(start, start.plusMonths(1));
      }
      start = start.withDayOfMonth(Integer.parseInt(day));
      String hour = values.get("hour");
      if (hour == null) {
        return new Interval(start, start.plusDays(1));
      }
      start = start.withHourOfDay(Integer.parseInt(hour));
      return new Interval(start, start.plusHours(1));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * True when a partition may hold events in {@code [from, to)}: its time span overlaps the range,
   * or it has no time span. A null bound is open.
   */
  public static boolean mayOverlap(
      Map<String, String> values, @Nullable Instant from, @Nullable Instant to) {
    Interval span = timeSpan(values);
    if (span == null) {
      return true;
    }
    return (from == null || span.getEnd().isAfter(from))
        && (to == null || span.getStart().isBefore(to));
  }

  private static String unescape(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%'
          && i + 2 < value.length()
          && isHex(value.charAt(i + 1))
          && isHex(value.charAt(i + 2))) {
        out.append((char) Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isHex(char c) {
    return Character.digit(c, 16) >= 0;
  }
}
