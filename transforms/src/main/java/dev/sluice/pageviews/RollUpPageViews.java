package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.movement.ObserveShuffle;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Rolls page views up per customer, url and event-time window: {@code PCollection<PageView>} in,
 * {@code PCollection<PageViewStats>} out, one record per (customer, url, window) and pane, with
 * {@code page_views}, {@code visitors} (distinct session ids, exact, or estimated with {@link
 * #withApproxVisitors}) and {@code referrers} (count per non-null referrer): the hourly rollup of
 * web-analytics teams' Spark and Dask jobs, for any window size. {@link #withVisitorSketches} makes
 * records keep the sketch of their sessions, so that they merge into coarser windows later.
 *
 * <p>Each view's event time is its {@code ts}; windows are fixed, one hour by default ({@link
 * #withWindowSize}), aligned to the epoch in UTC, so an event at exactly {@code 11:00:00.000}
 * belongs to the 11:00 window. Per key and window the {@link PageViewCombineFns} are combined
 * together ({@code CombineFns.compose()}): page views, visitors (exact, or a sketch), referrers.
 *
 * <p>The plan is a hash aggregation, as Spark's {@code HashAggregate} does it: views are keyed by
 * one of {@link #withBuckets buckets} (16 by default) of their (customer, url), and one {@code
 * CombineFn} per bucket and window keeps a map from (customer, url) to the composed accumulator.
 * Runners lift it before the shuffle (a worker sends one partial map per bucket and window, not
 * every view), and the shuffle has buckets × windows keys rather than one per url and hour, which
 * keeps per-key bookkeeping (timers, bundles) small on every runner. Bounded input (files) is
 * combined within each bundle first, before windowing (at most 50,000 (customer, url) entries held
 * per bundle), so that no runner serializes or sorts every view on its way to the shuffle; bounded
 * input must then carry timestamps no later than the views' {@code ts} (the minimum timestamp, as
 * files give, is fine). Memory: the accumulators of one bucket and window, that is the distinct
 * session ids (or, with approximate visitors, a sketch of at most about {@code 2^lgK} bytes) and
 * referrers of each of its groups; with approximate visitors a bundle of bounded input holds fewer
 * groups when {@code lgK} is above 12, so that its sketches stay near the same bytes.
 *
 * <p>Panes. Bounded input gives exactly one pane per window, when the watermark passes its end.
 * Unbounded input gets the same on-time pane, then, for views that arrive late but within the
 * allowed lateness (default {@link #DEFAULT_ALLOWED_LATENESS}, {@link #withAllowedLateness}), a
 * late pane as soon as late views arrive (one per view, or per bundle of them). Panes accumulate:
 * every pane carries the full counts of its window so far, so writing each pane as an upsert by key
 * (as Elasticsearch does with {@code _id}) leaves the final counts. Views later than the allowed
 * lateness are dropped by the runner and counted in its {@code droppedDueToLateness} counter
 * ({@link #lateViewsDropped}). {@link #withEarlyFirings} adds speculative panes every so often in
 * processing time before the window closes. Records output are counted as {@value #ROLLUP_RECORDS}.
 *
 * <p>Views must have non-null customer, url and session id ({@link PageView} guarantees it).
 *
 * <pre>{@code
 * PCollection<PageViewStats> hourly = views.apply("RollUpPageViews", RollUpPageViews.hourly());
 * PCollection<PageViewStats> quarterly =
 *     views.apply(RollUpPageViews.hourly().withWindowSize(Duration.standardMinutes(15)));
 * }</pre>
 */
@AutoValue
public abstract class RollUpPageViews
    extends PTransform<PCollection<PageView>, PCollection<PageViewStats>> {

  /** Counter of rollup records output (one per key, window and pane). */
  public static final String ROLLUP_RECORDS = "rollup_records";

  /** One hour. */
  public static final Duration DEFAULT_WINDOW_SIZE = Duration.standardHours(1);

  /** One hour: late views up to an hour after the window's end still update it. */
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.standardHours(1);

  /** Sixteen hash buckets of (customer, url) per window. */
  public static final int DEFAULT_BUCKETS = 16;

  /** The window size. */
  public abstract Duration windowSize();

  /** The allowed lateness (unbounded input). */
  public abstract Duration allowedLateness();

  /** The processing-time delay of speculative panes, or null for none (unbounded input). */
  public abstract @Nullable Duration earlyFiringDelay();

  /** Hash buckets of (customer, url) per window. */
  public abstract int buckets();

  /** Most (customer, url) entries a bundle of bounded input holds before it outputs. */
  abstract int maxEntriesPerBundle();

  /** Whether {@code visitors} is an exact distinct count (else estimated from the sketch). */
  public abstract boolean exactVisitors();

  /** The {@code lgK} of the visitors sketch the records keep, or null for none. */
  public abstract @Nullable Integer sketchLgK();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setWindowSize(Duration size);

    abstract Builder setAllowedLateness(Duration lateness);

    abstract Builder setEarlyFiringDelay(@Nullable Duration delay);

    abstract Builder setBuckets(int buckets);

    abstract Builder setMaxEntriesPerBundle(int entries);

    abstract Builder setExactVisitors(boolean exact);

    abstract Builder setSketchLgK(@Nullable Integer lgK);

    abstract RollUpPageViews build();
  }

  /** Hourly windows, one hour of allowed lateness, no early firings, 16 buckets. */
  public static RollUpPageViews hourly() {
    return new AutoValue_RollUpPageViews.Builder()
        .setWindowSize(DEFAULT_WINDOW_SIZE)
        .setAllowedLateness(DEFAULT_ALLOWED_LATENESS)
        .setBuckets(DEFAULT_BUCKETS)
        .setMaxEntriesPerBundle(BoundedPreCombine.MAX_ENTRIES)
        .setExactVisitors(true)
        .build();
  }

  /**
   * Returns a copy that spreads each window over {@code buckets} keys: more gives more parallelism
   * after the shuffle, fewer gives less per-key overhead.
   *
   * @throws IllegalArgumentException unless {@code buckets} is between 1 and 65,536
   */
  public RollUpPageViews withBuckets(int buckets) {
    if (buckets < 1 || buckets > 65_536) {
      throw new IllegalArgumentException("buckets must be in [1, 65536], got " + buckets);
    }
    return toBuilder().setBuckets(buckets).build();
  }

  /**
   * Returns a copy that estimates {@code visitors} with a HyperLogLog sketch of {@code 2^lgK}
   * buckets ({@link PageViewCombineFns#approxVisitors}) instead of counting session ids exactly:
   * memory per group stays under about {@code 2^lgK} bytes however many sessions it has, and the
   * estimate's relative standard error is {@link VisitorSketches#relativeStandardError} (1.6% at
   * {@code lgK = 12}). Records keep the sketch ({@link PageViewStats#getVisitorsSketch}).
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [4, 21]
   */
  public RollUpPageViews withApproxVisitors(int lgK) {
    return toBuilder().setExactVisitors(false).setSketchLgK(VisitorSketches.checkLgK(lgK)).build();
  }

  /**
   * Returns a copy whose records keep the HyperLogLog sketch of their sessions ({@code 2^lgK}
   * buckets) beside the exact {@code visitors}, so that they can be merged into coarser windows
   * later ({@link MergePageViewStats}).
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [4, 21]
   */
  public RollUpPageViews withVisitorSketches(int lgK) {
    return toBuilder().setSketchLgK(VisitorSketches.checkLgK(lgK)).build();
  }

  /** A copy whose bounded plan outputs partial maps after this many (customer, url) entries. */
  RollUpPageViews withMaxEntriesPerBundle(int entries) {
    if (entries < 1) {
      throw new IllegalArgumentException("entries must be >= 1, got " + entries);
    }
    return toBuilder().setMaxEntriesPerBundle(entries).build();
  }

  /**
   * Returns a copy with fixed windows of {@code size}.
   *
   * @throws IllegalArgumentException unless {@code size} is positive and divides a day
   */
  public RollUpPageViews withWindowSize(Duration size) {
    checkArgumentNotNull(size, "window size must not be null");
    if (size.getMillis() <= 0 || Duration.standardDays(1).getMillis() % size.getMillis() != 0) {
      throw new IllegalArgumentException(
          "window size must be positive and divide a day (e.g. 15m, 1h, 1d), got " + size);
    }
    return toBuilder().setWindowSize(size).build();
  }

  /**
   * Returns a copy that accepts views up to {@code lateness} after their window's end (unbounded
   * input only; bounded input is never late).
   *
   * @throws IllegalArgumentException if {@code lateness} is negative
   */
  public RollUpPageViews withAllowedLateness(Duration lateness) {
    checkArgumentNotNull(lateness, "allowed lateness must not be null");
    if (lateness.getMillis() < 0) {
      throw new IllegalArgumentException("allowed lateness must be >= 0, got " + lateness);
    }
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /**
   * Returns a copy that also fires a speculative pane {@code delay} of processing time after the
   * first view of a pane, before the window closes (unbounded input only).
   *
   * @throws IllegalArgumentException if {@code delay} is not positive
   */
  public RollUpPageViews withEarlyFirings(Duration delay) {
    checkArgumentNotNull(delay, "early firing delay must not be null");
    if (delay.getMillis() <= 0) {
      throw new IllegalArgumentException("early firing delay must be > 0, got " + delay);
    }
    return toBuilder().setEarlyFiringDelay(delay).build();
  }

  /**
   * Views dropped for arriving later than the allowed lateness, as the runner counted them. Runners
   * name this counter differently ({@code DroppedDueToLateness} on the DirectRunner, {@code
   * droppedDueToLateness} in runners-core, which Spark and Flink use): this sums every counter of
   * either name, attempted values.
   *
   * @param metrics the metrics of a run, e.g. {@code result.metrics()}
   * @return the number of dropped views
   */
  public static long lateViewsDropped(MetricResults metrics) {
    long dropped = 0;
    for (MetricResult<Long> counter : metrics.allMetrics().getCounters()) {
      if (counter.getName().getName().equalsIgnoreCase("droppedDueToLateness")) {
        Long value = counter.getAttempted();
        dropped += value == null ? 0 : value;
      }
    }
    return dropped;
  }

  /**
   * Groups a bundle of bounded input holds: {@link #maxEntriesPerBundle}, halved for each {@code
   * lgK} above 12 when each group holds a sketch, whose dense form takes {@code 2^lgK} bytes.
   */
  int bundleEntries() {
    Integer lgK = sketchLgK();
    if (lgK == null || lgK <= VisitorSketches.DEFAULT_LG_K) {
      return maxEntriesPerBundle();
    }
    return Math.max(100, maxEntriesPerBundle() >> (lgK - VisitorSketches.DEFAULT_LG_K));
  }

  /** The trigger: on time at the watermark, once per late view, early every delay if asked. */
  Trigger trigger() {
    AfterWatermark.AfterWatermarkEarlyAndLate onTime =
        AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1));
    return earlyFiringDelay() == null
        ? onTime
        : onTime.withEarlyFirings(
            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay()));
  }

  /** The shuffle of the windowed rollup, as the run report names it. */
  public static final String COMBINE_STATS = "RollUpPageViews.CombineStats";

  @Override
  public PCollection<PageViewStats> expand(PCollection<PageView> views) {
    if (views.isBounded() == PCollection.IsBounded.BOUNDED) {
      return BoundedPreCombine.rollUp(
          views, windowSize(), buckets(), bundleEntries(), exactVisitors(), sketchLgK());
    }
    CombineFns.ComposedCombineFn<PageView> stats =
        StatsPerUrl.statsFn(exactVisitors(), sketchLgK());
    return views
        .apply("AssignEventTime", WithTimestamps.of(PageView::eventTime))
        .apply(
            "WindowByEventTime",
            Window.<PageView>into(FixedWindows.of(windowSize()))
                .triggering(trigger())
                .withAllowedLateness(allowedLateness())
                .accumulatingFiredPanes())
        .apply("KeyByBucket", ParDo.of(new StatsPerUrl.KeyByBucketFn(buckets())))
        .setCoder(KvCoder.of(VarIntCoder.of(), views.getCoder()))
        .apply(
            "ObserveCombineStats",
            ObserveShuffle.<KV<Integer, PageView>>into(COMBINE_STATS)
                .withHeavyKeys("customer", view -> view.getValue().getCustomer()))
        .apply("CombineStats", Combine.perKey(new StatsPerUrl.StatsPerUrlFn(stats)))
        .apply("ObserveCombineStatsOut", ObserveShuffle.outOf(COMBINE_STATS))
        .apply(
            "ToPageViewStats",
            ParDo.of(
                new StatsPerUrl.ToPageViewStatsFn(stats, exactVisitors(), sketchLgK() != null)));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("windowSize", windowSize()).withLabel("Window size"))
        .add(DisplayData.item("allowedLateness", allowedLateness()).withLabel("Allowed lateness"))
        .addIfNotNull(
            DisplayData.item("earlyFiringDelay", earlyFiringDelay())
                .withLabel("Early firings every"))
        .add(DisplayData.item("buckets", buckets()).withLabel("Buckets per window"))
        .add(
            DisplayData.item("visitors", exactVisitors() ? "exact" : "approx")
                .withLabel("Visitors count"))
        .addIfNotNull(DisplayData.item("sketchLgK", sketchLgK()).withLabel("Visitors sketch lgK"))
        .add(DisplayData.item("trigger", trigger().toString()).withLabel("Trigger (unbounded)"));
  }
}
