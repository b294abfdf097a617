package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.util.SortedMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Rolls page views up per customer, url and event-time window: {@code PCollection<PageView>} in,
 * {@code PCollection<PageViewStats>} out, one record per (customer, url, window) and pane.
 *
 * <p>Each view's event time is its {@code ts}; windows are fixed, one hour by default ({@link
 * #withWindowSize}), aligned to the epoch in UTC, so an event at exactly {@code 11:00:00.000}
 * belongs to the 11:00 window. Per key and window the three {@link PageViewCombineFns} are combined
 * together ({@code CombineFns.compose()}) with {@code Combine.perKey}, which runners lift before the
 * shuffle: a worker sends one accumulator per key and window, not every view.
 *
 * <p>Panes. Bounded input (files) gives exactly one pane per window, when the watermark passes its
 * end. Unbounded input gets the same on-time pane, then, for views that arrive late but within the
 * allowed lateness (default {@link #DEFAULT_ALLOWED_LATENESS}, {@link #withAllowedLateness}), one
 * late pane per late view. Panes accumulate: every pane carries the full counts of its window so
 * far, so writing each pane as an upsert by key (as Elasticsearch does with {@code _id}) leaves the
 * final counts. Views later than the allowed lateness are dropped by the runner and counted in its
 * {@code droppedDueToLateness} counter. {@link #withEarlyFirings} adds speculative panes every so
 * often in processing time before the window closes.
 *
 * <p>Views must have non-null customer, url and session id ({@link PageView} guarantees it).
 * Memory per key and window: the distinct session ids and referrers of that group.
 *
 * <pre>{@code
 * PCollection<PageViewStats> hourly = views.apply("HourlyPageViews", HourlyPageViews.create());
 * PCollection<PageViewStats> quarterly =
 *     views.apply(HourlyPageViews.create().withWindowSize(Duration.standardMinutes(15)));
 * }</pre>
 */
public final class HourlyPageViews
    extends PTransform<PCollection<PageView>, PCollection<PageViewStats>> {

  /** One hour. */
  public static final Duration DEFAULT_WINDOW_SIZE = Duration.standardHours(1);
  /** One hour: late views up to an hour after the window's end still update it. */
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.standardHours(1);

  private static final TupleTag<Long> PAGE_VIEWS = new TupleTag<>("page_views");
  private static final TupleTag<Long> VISITORS = new TupleTag<>("visitors");
  private static final TupleTag<SortedMap<String, Long>> REFERRERS = new TupleTag<>("referrers");

  private final Duration windowSize;
  private final Duration allowedLateness;
  private final @Nullable Duration earlyFiringDelay;

  private HourlyPageViews(
      Duration windowSize, Duration allowedLateness, @Nullable Duration earlyFiringDelay) {
    this.windowSize = windowSize;
    this.allowedLateness = allowedLateness;
    this.earlyFiringDelay = earlyFiringDelay;
  }

  /** Hourly windows, one hour of allowed lateness, no early firings. */
  public static HourlyPageViews create() {
    return new HourlyPageViews(DEFAULT_WINDOW_SIZE, DEFAULT_ALLOWED_LATENESS, null);
  }

  /**
   * Returns a copy with fixed windows of {@code size}.
   *
   * @throws IllegalArgumentException unless {@code size} is positive and divides a day
   */
  public HourlyPageViews withWindowSize(Duration size) {
    checkArgumentNotNull(size, "window size must not be null");
    if (size.getMillis() <= 0 || Duration.standardDays(1).getMillis() % size.getMillis() != 0) {
      throw new IllegalArgumentException(
          "window size must be positive and divide a day (e.g. 15m, 1h, 1d), got " + size);
    }
    return new HourlyPageViews(size, allowedLateness, earlyFiringDelay);
  }

  /**
   * Returns a copy that accepts views up to {@code lateness} after their window's end (unbounded
   * input only; bounded input is never late).
   *
   * @throws IllegalArgumentException if {@code lateness} is negative
   */
  public HourlyPageViews withAllowedLateness(Duration lateness) {
    checkArgumentNotNull(lateness, "allowed lateness must not be null");
    if (lateness.getMillis() < 0) {
      throw new IllegalArgumentException("allowed lateness must be >= 0, got " + lateness);
    }
    return new HourlyPageViews(windowSize, lateness, earlyFiringDelay);
  }

  /**
   * Returns a copy that also fires a speculative pane {@code delay} of processing time after the
   * first view of a pane, before the window closes (unbounded input only).
   *
   * @throws IllegalArgumentException if {@code delay} is not positive
   */
  public HourlyPageViews withEarlyFirings(Duration delay) {
    checkArgumentNotNull(delay, "early firing delay must not be null");
    if (delay.getMillis() <= 0) {
      throw new IllegalArgumentException("early firing delay must be > 0, got " + delay);
    }
    return new HourlyPageViews(windowSize, allowedLateness, delay);
  }

  /** The window size. */
  public Duration windowSize() {
    return windowSize;
  }

  /** The allowed lateness. */
  public Duration allowedLateness() {
    return allowedLateness;
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

  /** The trigger: on time at the watermark, once per late view, early every delay if asked. */
  Trigger trigger() {
    AfterWatermark.AfterWatermarkEarlyAndLate onTime =
        AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1));
    return earlyFiringDelay == null
        ? onTime
        : onTime.withEarlyFirings(
            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay));
  }

  /**
   * The three combiners composed over a {@link PageView}: page views, distinct session ids and
   * referrer counts, tagged {@code page_views}, {@code visitors} and {@code referrers}.
   */
  public static CombineFns.ComposedCombineFn<PageView> statsFn() {
    return CombineFns.compose()
        .with(new SessionIdFn(), StringUtf8Coder.of(), PageViewCombineFns.pageViews(), PAGE_VIEWS)
        .with(new SessionIdFn(), StringUtf8Coder.of(), PageViewCombineFns.visitors(), VISITORS)
        .with(
            new ReferrerFn(),
            NullableCoder.of(StringUtf8Coder.of()),
            PageViewCombineFns.referrers(),
            REFERRERS);
  }

  @Override
  public PCollection<PageViewStats> expand(PCollection<PageView> views) {
    PCollection<KV<KV<String, String>, PageView>> keyed =
        views
            .apply("AssignEventTime", WithTimestamps.of(PageView::eventTime))
            .apply(
                "WindowByEventTime",
                Window.<PageView>into(FixedWindows.of(windowSize))
                    .triggering(trigger())
                    .withAllowedLateness(allowedLateness)
                    .accumulatingFiredPanes())
            .apply("KeyByCustomerAndUrl", ParDo.of(new KeyByCustomerAndUrlFn()))
            .setCoder(
                KvCoder.of(
                    KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), views.getCoder()));
    return keyed
        .apply("CombineStats", Combine.perKey(statsFn()))
        .apply("ToPageViewStats", ParDo.of(new ToPageViewStatsFn()));
  }

  /** The session id of a view. */
  static final class SessionIdFn extends SimpleFunction<PageView, String> {
    @Override
    public String apply(PageView view) {
      return view.getSessionId();
    }
  }

  /** The referrer of a view, possibly null. */
  static final class ReferrerFn extends SimpleFunction<PageView, @Nullable String> {
    @Override
    public @Nullable String apply(PageView view) {
      return view.getReferrer();
    }
  }

  /** Keys each view by (customer, url). */
  static final class KeyByCustomerAndUrlFn
      extends DoFn<PageView, KV<KV<String, String>, PageView>> {
    @ProcessElement
    public void processElement(
        @Element PageView view, OutputReceiver<KV<KV<String, String>, PageView>> out) {
      out.output(KV.of(KV.of(view.getCustomer(), view.getUrl()), view));
    }
  }

  /** Turns a combined key and window into a {@link PageViewStats}. */
  static final class ToPageViewStatsFn
      extends DoFn<KV<KV<String, String>, CombineFns.CoCombineResult>, PageViewStats> {
    @ProcessElement
    public void processElement(
        @Element KV<KV<String, String>, CombineFns.CoCombineResult> combined,
        IntervalWindow window,
        OutputReceiver<PageViewStats> out) {
      CombineFns.CoCombineResult result = combined.getValue();
      out.output(
          PageViewStats.of(
              combined.getKey().getKey(),
              combined.getKey().getValue(),
              window.start(),
              window.end(),
              result.get(PAGE_VIEWS),
              result.get(VISITORS),
              result.get(REFERRERS)));
    }
  }
}
