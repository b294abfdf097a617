package dev.sluice.churn;

import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The event times churn labelling keeps, {@code [from, to)} in epoch milliseconds (UTC); either end
 * may be open. An event outside is skipped on purpose and counted as {@value
 * LabelChurn#OUTSIDE_TIME_RANGE}, so a user's label is decided by their events in the range.
 */
public final class EventTimeRange implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Every event time. */
  public static final EventTimeRange ALL = new EventTimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

  private final long fromMillis;
  private final long toMillis;

  private EventTimeRange(long fromMillis, long toMillis) {
    this.fromMillis = fromMillis;
    this.toMillis = toMillis;
  }

  /**
   * The range {@code [from, to)}; null for an open end.
   *
   * @throws IllegalArgumentException if {@code from} is not before {@code to}
   */
  public static EventTimeRange of(@Nullable Instant from, @Nullable Instant to) {
    long start = from == null ? Long.MIN_VALUE : from.getMillis();
    long end = to == null ? Long.MAX_VALUE : to.getMillis();
    if (start >= end) {
      throw new IllegalArgumentException(
          "the time range is empty: " + from + " is not before " + to);
    }
    return new EventTimeRange(start, end);
  }

  /** True when {@code ts} (epoch milliseconds) lies in the range. */
  public boolean contains(long ts) {
    return ts >= fromMillis && ts < toMillis;
  }

  /** True when the range has no end, so every event is kept. */
  public boolean isAll() {
    return fromMillis == Long.MIN_VALUE && toMillis == Long.MAX_VALUE;
  }

  @Override
  public String toString() {
    return isAll()
        ? "all"
        : "["
            + (fromMillis == Long.MIN_VALUE ? "" : new Instant(fromMillis).toString())
            + ", "
            + (toMillis == Long.MAX_VALUE ? "" : new Instant(toMillis).toString())
            + ")";
  }
}
