package dev.sluice.pageviews;

import com.google.auto.value.AutoValue;
import java.util.Map;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.joda.time.Instant;

/**
 * The page-view rollup of one customer, url and event-time window: {@code page_views}, {@code
 * visitors} (distinct sessions) and {@code referrers} (count per non-null referrer, sorted by
 * referrer).
 *
 * <p>Schema-aware: {@code customer}, {@code url}, {@code windowStart} and {@code windowEnd}
 * (DATETIME, UTC, start inclusive, end exclusive), {@code pageViews}, {@code visitors}, {@code
 * referrers} (a map). Written as Parquet it keeps these columns; as JSON see {@link
 * FormatAsElasticsearchJson}.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class PageViewStats {

  /** The customer. */
  @SchemaFieldNumber("0")
  public abstract String getCustomer();

  /** The url. */
  @SchemaFieldNumber("1")
  public abstract String getUrl();

  /** Start of the window, inclusive, UTC. */
  @SchemaFieldNumber("2")
  public abstract Instant getWindowStart();

  /** End of the window, exclusive, UTC. */
  @SchemaFieldNumber("3")
  public abstract Instant getWindowEnd();

  /** Number of page views. */
  @SchemaFieldNumber("4")
  public abstract long getPageViews();

  /** Number of distinct session ids. */
  @SchemaFieldNumber("5")
  public abstract long getVisitors();

  /** Page views per referrer, null referrers not counted; iterates in referrer order. */
  @SchemaFieldNumber("6")
  public abstract Map<String, Long> getReferrers();

  /**
   * Creates a rollup record.
   *
   * @param customer the customer
   * @param url the url
   * @param windowStart start of the window, inclusive
   * @param windowEnd end of the window, exclusive
   * @param pageViews number of page views
   * @param visitors number of distinct sessions
   * @param referrers page views per referrer (copied, sorted by referrer)
   * @return the record
   */
  @SchemaCreate
  public static PageViewStats of(
      String customer,
      String url,
      Instant windowStart,
      Instant windowEnd,
      long pageViews,
      long visitors,
      Map<String, Long> referrers) {
    return new AutoValue_PageViewStats(
        customer,
        url,
        windowStart,
        windowEnd,
        pageViews,
        visitors,
        java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(referrers)));
  }
}
