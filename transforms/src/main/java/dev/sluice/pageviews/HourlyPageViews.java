package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.Metrics;
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
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Rolls page views up per customer, url and event-time window: {@code PCollection<PageView>} in,
 * {@code PCollection<PageViewStats>} out, one record per (customer, url, window) and pane.
 *
 * <p>Each view's event time is its {@code ts}; windows are fixed, one hour by default ({@link
 * #withWindowSize}), aligned to the epoch in UTC, so an event at exactly {@code 11:00:00.000}
 * belongs to the 11:00 window. Per key and window the three {@link PageViewCombineFns} are combined
 * together ({@code CombineFns.compose()}).
 *
 * <p>The plan is a hash aggregation, as Spark's {@code HashAggregate} does it: views are keyed by
 * one of {@link #withBuckets buckets} (16 by default) of their (customer, url), and one {@code
 * CombineFn} per bucket and window keeps a map from (customer, url) to the composed accumulator.
 * Runners lift it before the shuffle (a worker sends one partial map per bucket and window, not
 * every view), and the shuffle has buckets × windows keys rather than one per url and hour, which
 * keeps per-key bookkeeping (timers, bundles) small on every runner. Memory: the accumulators of
 * one bucket and window.
 *
 * <p>Bounded input (files) is combined within each bundle first, before windowing: the views of a
 * bundle become partial bucket maps (at most 50,000 (customer, url) entries are held before they
 * are output), which are then windowed by their timestamps and merged per bucket and window. No
 * runner then serializes, sorts or copies every view on its way to the shuffle (see
 * benchmarks/README.md for the profiles). Bounded input must carry timestamps no later than the
 * views' {@code ts} (the minimum timestamp, as files give, is fine).
 *
 * <p>Panes. Bounded input (files) gives exactly one pane per window, when the watermark passes its
 * end (with Beam's default trigger, so that every runner combines before the shuffle). Unbounded
 * input gets the same on-time pane, then, for views that arrive late but within the allowed
 * lateness (default {@link #DEFAULT_ALLOWED_LATENESS}, {@link #withAllowedLateness}), one late pane
 * per late view. Panes accumulate: every pane carries the full counts of its window so far, so
 * writing each pane as an upsert by key (as Elasticsearch does with {@code _id}) leaves the final
 * counts. Views later than the allowed lateness are dropped by the runner and counted in its {@code
 * droppedDueToLateness} counter ({@link #lateViewsDropped}). Records output are counted as {@value
 * #ROLLUP_RECORDS}. {@link #withEarlyFirings} adds speculative panes every so often in processing
 * time before the window closes.
 *
 * <p>Views must have non-null customer, url and session id ({@link PageView} guarantees it). Memory
 * per key and window: the distinct session ids and referrers of that group.
 *
 * <pre>{@code
 * PCollection<PageViewStats> hourly = views.apply("HourlyPageViews", HourlyPageViews.create());
 * PCollection<PageViewStats> quarterly =
 *     views.apply(HourlyPageViews.create().withWindowSize(Duration.standardMinutes(15)));
 * }</pre>
 */
public final class HourlyPageViews
    extends PTransform<PCollection<PageView>, PCollection<PageViewStats>> {

  /** Counter of rollup records output (one per key, window and pane). */
  public static final String ROLLUP_RECORDS = "rollup_records";

  /** One hour. */
  public static final Duration DEFAULT_WINDOW_SIZE = Duration.standardHours(1);

  /** One hour: late views up to an hour after the window's end still update it. */
  public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.standardHours(1);

  private static final TupleTag<Long> PAGE_VIEWS = new TupleTag<>("page_views");
  private static final TupleTag<Long> VISITORS = new TupleTag<>("visitors");
  private static final TupleTag<SortedMap<String, Long>> REFERRERS = new TupleTag<>("referrers");

  /** Sixteen hash buckets of (customer, url) per window. */
  public static final int DEFAULT_BUCKETS = 16;

  private final Duration windowSize;
  private final Duration allowedLateness;
  private final @Nullable Duration earlyFiringDelay;
  private final int buckets;
  private final int maxEntriesPerBundle;

  private HourlyPageViews(
      Duration windowSize,
      Duration allowedLateness,
      @Nullable Duration earlyFiringDelay,
      int buckets,
      int maxEntriesPerBundle) {
    this.windowSize = windowSize;
    this.allowedLateness = allowedLateness;
    this.earlyFiringDelay = earlyFiringDelay;
    this.buckets = buckets;
    this.maxEntriesPerBundle = maxEntriesPerBundle;
  }

  /** Hourly windows, one hour of allowed lateness, no early firings, 16 buckets. */
  public static HourlyPageViews create() {
    return new HourlyPageViews(
        DEFAULT_WINDOW_SIZE,
        DEFAULT_ALLOWED_LATENESS,
        null,
        DEFAULT_BUCKETS,
        CombineInBundleFn.MAX_ENTRIES);
  }

  /**
   * Returns a copy that spreads each window over {@code buckets} keys: more gives more parallelism
   * after the shuffle, fewer gives less per-key overhead.
   *
   * @throws IllegalArgumentException unless {@code buckets} is between 1 and 65,536
   */
  public HourlyPageViews withBuckets(int buckets) {
    if (buckets < 1 || buckets > 65_536) {
      throw new IllegalArgumentException("buckets must be in [1, 65536], got " + buckets);
    }
    return new HourlyPageViews(
        windowSize, allowedLateness, earlyFiringDelay, buckets, maxEntriesPerBundle);
  }

  /**
   * Returns a copy with fixed windows of {@code size}.
   *
   * @throws IllegalArgumentException unless {@code size} is positive and divides a day
   */
  /** A copy whose bounded plan outputs partial maps after this many (customer, url) entries. */
  HourlyPageViews withMaxEntriesPerBundle(int entries) {
    if (entries < 1) {
      throw new IllegalArgumentException("entries must be >= 1, got " + entries);
    }
    return new HourlyPageViews(windowSize, allowedLateness, earlyFiringDelay, buckets, entries);
  }

  public HourlyPageViews withWindowSize(Duration size) {
    checkArgumentNotNull(size, "window size must not be null");
    if (size.getMillis() <= 0 || Duration.standardDays(1).getMillis() % size.getMillis() != 0) {
      throw new IllegalArgumentException(
          "window size must be positive and divide a day (e.g. 15m, 1h, 1d), got " + size);
    }
    return new HourlyPageViews(
        size, allowedLateness, earlyFiringDelay, buckets, maxEntriesPerBundle);
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
    return new HourlyPageViews(
        windowSize, lateness, earlyFiringDelay, buckets, maxEntriesPerBundle);
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
    return new HourlyPageViews(windowSize, allowedLateness, delay, buckets, maxEntriesPerBundle);
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
    CombineFns.ComposedCombineFn<PageView> stats = statsFn();
    if (views.isBounded() == PCollection.IsBounded.BOUNDED) {
      return combineInBundlesFirst(views, stats);
    }
    PCollection<KV<Integer, PageView>> keyed =
        views
            .apply("AssignEventTime", WithTimestamps.of(PageView::eventTime))
            .apply("WindowByEventTime", windowing(views.isBounded()))
            .apply("KeyByBucket", ParDo.of(new KeyByBucketFn(buckets)))
            .setCoder(KvCoder.of(VarIntCoder.of(), views.getCoder()));
    return keyed
        .apply("CombineStats", Combine.perKey(new StatsPerUrlFn(stats)))
        .apply("ToPageViewStats", ParDo.of(new ToPageViewStatsFn(stats)));
  }

  /**
   * Fixed windows; for unbounded input with the trigger and lateness of this transform, for bounded
   * input with Beam's default trigger, which gives the same single pane per window and lets every
   * runner (the DirectRunner included) combine before the shuffle.
   */
  /**
   * The bounded plan: views are combined within each bundle, before windowing, into partial bucket
   * maps ({@link CombineInBundleFn}), which are then windowed by their timestamps and merged per
   * bucket and window. Every runner then shuffles a few partial maps per bundle instead of every
   * view, and the views themselves are not copied by the AssignEventTime, window and key steps that
   * the DirectRunner would materialize one after another.
   */
  private PCollection<PageViewStats> combineInBundlesFirst(
      PCollection<PageView> views, CombineFns.ComposedCombineFn<PageView> stats) {
    Coder<Map<KV<String, String>, Object[]>> partialCoder;
    try {
      partialCoder =
          MapCoder.of(
              KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()),
              stats.getAccumulatorCoder(views.getPipeline().getCoderRegistry(), views.getCoder()));
    } catch (CannotProvideCoderException e) {
      throw new IllegalStateException("no coder for the page-view accumulators", e);
    }
    return views
        .apply(
            "CombineInBundle",
            ParDo.of(new CombineInBundleFn(stats, windowSize, buckets, maxEntriesPerBundle)))
        .setCoder(KvCoder.of(VarIntCoder.of(), partialCoder))
        .apply(
            "WindowByEventTime",
            Window.<KV<Integer, Map<KV<String, String>, Object[]>>>into(FixedWindows.of(windowSize))
                .triggering(DefaultTrigger.of())
                .withAllowedLateness(Duration.ZERO)
                .discardingFiredPanes())
        .apply("CombineStats", Combine.perKey(new MergePartialsFn(stats, partialCoder)))
        .apply("ToPageViewStats", ParDo.of(new ToPageViewStatsFn(stats)));
  }

  Window<PageView> windowing(PCollection.IsBounded boundedness) {
    Window<PageView> fixed = Window.into(FixedWindows.of(windowSize));
    if (boundedness == PCollection.IsBounded.BOUNDED) {
      return fixed
          .triggering(DefaultTrigger.of())
          .withAllowedLateness(Duration.ZERO)
          .discardingFiredPanes();
    }
    return fixed
        .triggering(trigger())
        .withAllowedLateness(allowedLateness)
        .accumulatingFiredPanes();
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

  /** The hash bucket, in {@code [0, buckets)}, of a view's (customer, url). */
  static int bucketOf(PageView view, int buckets) {
    return Math.floorMod(31 * view.getCustomer().hashCode() + view.getUrl().hashCode(), buckets);
  }

  /** Keys each view by a hash bucket of its (customer, url). */
  static final class KeyByBucketFn extends DoFn<PageView, KV<Integer, PageView>> {
    private final int buckets;

    KeyByBucketFn(int buckets) {
      this.buckets = buckets;
    }

    @ProcessElement
    public void processElement(@Element PageView view, OutputReceiver<KV<Integer, PageView>> out) {
      out.output(KV.of(bucketOf(view, buckets), view));
    }
  }

  /**
   * Combines the views of one bucket into a map from (customer, url) to the accumulator of the
   * composed page-view {@code CombineFn}s; the output is that map, finished downstream.
   */
  static final class StatsPerUrlFn
      extends Combine.CombineFn<
          PageView, Map<KV<String, String>, Object[]>, Map<KV<String, String>, Object[]>> {
    private final CombineFns.ComposedCombineFn<PageView> stats;

    StatsPerUrlFn(CombineFns.ComposedCombineFn<PageView> stats) {
      this.stats = stats;
    }

    @Override
    public Map<KV<String, String>, Object[]> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<KV<String, String>, Object[]> addInput(
        Map<KV<String, String>, Object[]> accumulator, PageView view) {
      Map<KV<String, String>, Object[]> urls = mutable(accumulator);
      KV<String, String> key = KV.of(view.getCustomer(), view.getUrl());
      Object[] urlAccumulator = urls.get(key);
      urls.put(
          key,
          stats.addInput(
              urlAccumulator == null ? stats.createAccumulator() : urlAccumulator, view));
      return urls;
    }

    /** The accumulator itself when this fn made it; a copy when a coder decoded it read-only. */
    static Map<KV<String, String>, Object[]> mutable(
        Map<KV<String, String>, Object[]> accumulator) {
      return accumulator instanceof HashMap ? accumulator : new HashMap<>(accumulator);
    }

    @Override
    public Map<KV<String, String>, Object[]> mergeAccumulators(
        Iterable<Map<KV<String, String>, Object[]>> accumulators) {
      Map<KV<String, String>, Object[]> merged = null;
      for (Map<KV<String, String>, Object[]> accumulator : accumulators) {
        if (merged == null) {
          merged = mutable(accumulator);
          continue;
        }
        for (Map.Entry<KV<String, String>, Object[]> entry : accumulator.entrySet()) {
          Object[] existing = merged.get(entry.getKey());
          merged.put(
              entry.getKey(),
              existing == null
                  ? entry.getValue()
                  : stats.mergeAccumulators(List.of(existing, entry.getValue())));
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public Map<KV<String, String>, Object[]> extractOutput(
        Map<KV<String, String>, Object[]> accumulator) {
      return accumulator;
    }

    @Override
    public Coder<Map<KV<String, String>, Object[]>> getAccumulatorCoder(
        CoderRegistry registry, Coder<PageView> input) throws CannotProvideCoderException {
      return MapCoder.of(
          KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()),
          stats.getAccumulatorCoder(registry, input));
    }

    @Override
    public Coder<Map<KV<String, String>, Object[]>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<PageView> input) throws CannotProvideCoderException {
      return getAccumulatorCoder(registry, input);
    }
  }

  /**
   * Combines the views of a bundle into one partial bucket map per (input window, event-time
   * window, bucket): {@code PageView} in, {@code KV<bucket, Map<(customer, url), accumulator>>}
   * out, each with the timestamp of the latest input of its event-time window, or that window's
   * start if later, so that windowing the output by timestamp puts it in the event-time window of
   * its views.
   *
   * <p>Memory is bounded: when the partial maps hold {@value #MAX_ENTRIES} (customer, url) entries
   * (by default), they are output mid-bundle, which is possible when they are all in the current
   * input's window and not earlier than its timestamp (always so for views read from files: global
   * window, minimum timestamp); otherwise they wait for the end of the bundle. Requires input
   * timestamps no later than the views' {@code ts}, as {@code WithTimestamps} does in the unbounded
   * plan.
   */
  static final class CombineInBundleFn
      extends DoFn<PageView, KV<Integer, Map<KV<String, String>, Object[]>>> {
    static final int MAX_ENTRIES = 50_000;

    private final CombineFns.ComposedCombineFn<PageView> stats;
    private final long windowMillis;
    private final int buckets;
    private final int maxEntries;
    private transient Map<BoundedWindow, Map<Long, Partial[]>> partials;
    private transient int entries;

    CombineInBundleFn(
        CombineFns.ComposedCombineFn<PageView> stats,
        Duration windowSize,
        int buckets,
        int maxEntries) {
      this.stats = stats;
      this.windowMillis = windowSize.getMillis();
      this.buckets = buckets;
      this.maxEntries = maxEntries;
    }

    /** The views of one bucket of one event-time window, so far in this bundle. */
    static final class Partial {
      final Map<KV<String, String>, Object[]> urls = new HashMap<>();
      long timestamp;

      Partial(long windowStart) {
        this.timestamp = windowStart;
      }
    }

    @StartBundle
    public void startBundle() {
      partials = new HashMap<>();
      entries = 0;
    }

    @ProcessElement
    public void processElement(
        @Element PageView view,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        OutputReceiver<KV<Integer, Map<KV<String, String>, Object[]>>> out) {
      long ts = view.getTs();
      long windowStart = ts - Math.floorMod(ts, windowMillis);
      int bucket = bucketOf(view, buckets);
      Partial[] byBucket =
          partials
              .computeIfAbsent(window, w -> new HashMap<>())
              .computeIfAbsent(windowStart, start -> new Partial[buckets]);
      Partial partial = byBucket[bucket];
      if (partial == null) {
        partial = new Partial(windowStart);
        byBucket[bucket] = partial;
      }
      partial.timestamp = Math.max(partial.timestamp, timestamp.getMillis());
      KV<String, String> key = KV.of(view.getCustomer(), view.getUrl());
      Object[] accumulator = partial.urls.get(key);
      if (accumulator == null) {
        accumulator = stats.createAccumulator();
        entries++;
      }
      partial.urls.put(key, stats.addInput(accumulator, view));
      if (entries >= maxEntries && canOutputNow(window, timestamp)) {
        for (Partial[] inWindow : partials.get(window).values()) {
          for (int b = 0; b < inWindow.length; b++) {
            if (inWindow[b] != null) {
              out.outputWithTimestamp(
                  KV.of(b, inWindow[b].urls), new Instant(inWindow[b].timestamp));
            }
          }
        }
        partials.clear();
        entries = 0;
      }
    }

    /** True when every partial is in {@code window} and not earlier than {@code timestamp}. */
    private boolean canOutputNow(BoundedWindow window, Instant timestamp) {
      if (partials.size() != 1 || !partials.containsKey(window)) {
        return false;
      }
      for (Partial[] inWindow : partials.get(window).values()) {
        for (Partial partial : inWindow) {
          if (partial != null && partial.timestamp < timestamp.getMillis()) {
            return false;
          }
        }
      }
      return true;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<BoundedWindow, Map<Long, Partial[]>> inWindow : partials.entrySet()) {
        for (Partial[] byBucket : inWindow.getValue().values()) {
          for (int b = 0; b < byBucket.length; b++) {
            if (byBucket[b] != null) {
              context.output(
                  KV.of(b, byBucket[b].urls),
                  new Instant(byBucket[b].timestamp),
                  inWindow.getKey());
            }
          }
        }
      }
      partials = null;
    }
  }

  /**
   * Merges the partial bucket maps of one bucket and window: {@code Map<(customer, url),
   * accumulator>} in, the merged map out. Partial maps are input elements and are never modified:
   * their accumulators are merged into accumulators of this fn's own (the composed {@code
   * CombineFn}s modify only the first accumulator they merge).
   */
  static final class MergePartialsFn
      extends Combine.CombineFn<
          Map<KV<String, String>, Object[]>,
          Map<KV<String, String>, Object[]>,
          Map<KV<String, String>, Object[]>> {
    private final CombineFns.ComposedCombineFn<PageView> stats;
    private final StatsPerUrlFn merge;
    private final Coder<Map<KV<String, String>, Object[]>> coder;

    MergePartialsFn(
        CombineFns.ComposedCombineFn<PageView> stats,
        Coder<Map<KV<String, String>, Object[]>> coder) {
      this.stats = stats;
      this.merge = new StatsPerUrlFn(stats);
      this.coder = coder;
    }

    @Override
    public Map<KV<String, String>, Object[]> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<KV<String, String>, Object[]> addInput(
        Map<KV<String, String>, Object[]> accumulator, Map<KV<String, String>, Object[]> partial) {
      Map<KV<String, String>, Object[]> urls = StatsPerUrlFn.mutable(accumulator);
      for (Map.Entry<KV<String, String>, Object[]> url : partial.entrySet()) {
        Object[] own = urls.get(url.getKey());
        urls.put(
            url.getKey(),
            stats.mergeAccumulators(
                Arrays.asList(own == null ? stats.createAccumulator() : own, url.getValue())));
      }
      return urls;
    }

    @Override
    public Map<KV<String, String>, Object[]> mergeAccumulators(
        Iterable<Map<KV<String, String>, Object[]>> accumulators) {
      return merge.mergeAccumulators(accumulators);
    }

    @Override
    public Map<KV<String, String>, Object[]> extractOutput(
        Map<KV<String, String>, Object[]> accumulator) {
      return accumulator;
    }

    @Override
    public Coder<Map<KV<String, String>, Object[]>> getAccumulatorCoder(
        CoderRegistry registry, Coder<Map<KV<String, String>, Object[]>> input) {
      return coder;
    }

    @Override
    public Coder<Map<KV<String, String>, Object[]>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<Map<KV<String, String>, Object[]>> input) {
      return coder;
    }
  }

  /** Finishes each (customer, url) of a bucket into a {@link PageViewStats} of its window. */
  static final class ToPageViewStatsFn
      extends DoFn<KV<Integer, Map<KV<String, String>, Object[]>>, PageViewStats> {
    private final CombineFns.ComposedCombineFn<PageView> stats;
    private final Counter records = Metrics.counter(HourlyPageViews.class, ROLLUP_RECORDS);

    ToPageViewStatsFn(CombineFns.ComposedCombineFn<PageView> stats) {
      this.stats = stats;
    }

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Map<KV<String, String>, Object[]>> bucket,
        IntervalWindow window,
        OutputReceiver<PageViewStats> out) {
      for (Map.Entry<KV<String, String>, Object[]> url : bucket.getValue().entrySet()) {
        CombineFns.CoCombineResult result = stats.extractOutput(url.getValue());
        records.inc();
        out.output(
            PageViewStats.of(
                url.getKey().getKey(),
                url.getKey().getValue(),
                window.start(),
                window.end(),
                result.get(PAGE_VIEWS),
                result.get(VISITORS),
                result.get(REFERRERS)));
      }
    }
  }
}
