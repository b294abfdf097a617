package dev.sluice.pageviews;

import com.google.auto.value.AutoValue;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The page-view rollup of one customer, url and event-time window: {@code page_views}, {@code
 * visitors} (distinct sessions, exact or estimated), {@code referrers} (count per non-null
 * referrer, sorted by referrer) and, when the rollup keeps one, the HyperLogLog sketch of its
 * sessions ({@link VisitorSketches}), which makes the record mergeable into coarser windows ({@link
 * MergePageViewStats}).
 *
 * <p>Schema-aware: {@code customer}, {@code url}, {@code windowStart} and {@code windowEnd}
 * (DATETIME, UTC, start inclusive, end exclusive), {@code pageViews}, {@code visitors}, {@code
 * referrers} (a map), {@code visitorsSketch} (nullable BYTES). Written as Parquet it keeps these
 * columns; as JSON see {@link FormatAsElasticsearchJson}, which leaves the sketch out.
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
   * The compact DataSketches {@code HLL_4} sketch of the window's session ids, or null when the
   * rollup kept none. The array is the record's own: do not modify it.
   */
  @SchemaFieldNumber("7")
  @SuppressWarnings("mutable")
  public abstract byte @Nullable [] getVisitorsSketch();

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
   * @return the record, without a visitors sketch
   */
  public static PageViewStats of(
      String customer,
      String url,
      Instant windowStart,
      Instant windowEnd,
      long pageViews,
      long visitors,
      Map<String, Long> referrers) {
    return of(customer, url, windowStart, windowEnd, pageViews, visitors, referrers, null);
  }

  /**
   * Creates a rollup record with the sketch of its sessions.
   *
   * @param customer the customer
   * @param url the url
   * @param windowStart start of the window, inclusive
   * @param windowEnd end of the window, exclusive
   * @param pageViews number of page views
   * @param visitors number of distinct sessions
   * @param referrers page views per referrer (copied, sorted by referrer)
   * @param visitorsSketch the compact HLL sketch of the sessions ({@link VisitorSketches}), or null
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
      Map<String, Long> referrers,
      byte @Nullable [] visitorsSketch) {
    return new AutoValue_PageViewStats(
        customer,
        url,
        windowStart,
        windowEnd,
        pageViews,
        visitors,
        Collections.unmodifiableSortedMap(new TreeMap<>(referrers)),
        visitorsSketch);
  }
}
