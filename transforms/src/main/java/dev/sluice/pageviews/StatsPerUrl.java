package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

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
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The hash aggregation behind {@link RollUpPageViews}: views keyed by a bucket of their (customer,
 * url), and per bucket and window a map from (customer, url) to the accumulator of the {@link
 * PageViewCombineFns} composed ({@link #statsFn}: three, or four with a visitors sketch), finished
 * into {@link PageViewStats}.
 */
final class StatsPerUrl {

  static final TupleTag<Long> PAGE_VIEWS = new TupleTag<>("page_views");
  static final TupleTag<Long> VISITORS = new TupleTag<>("visitors");
  static final TupleTag<SortedMap<String, Long>> REFERRERS = new TupleTag<>("referrers");
  static final TupleTag<byte[]> VISITORS_SKETCH = new TupleTag<>("visitors_sketch");

  private StatsPerUrl() {}

  /** {@link #statsFn(boolean, Integer)} with exact visitors and no sketch. */
  static CombineFns.ComposedCombineFn<PageView> statsFn() {
    return statsFn(true, null);
  }

  /**
   * The combiners composed over a {@link PageView}: page views, distinct session ids (exact, when
   * {@code exactVisitors}), the HyperLogLog sketch of the session ids (when {@code sketchLgK} is
   * set) and referrer counts, tagged {@code page_views}, {@code visitors}, {@code visitors_sketch}
   * and {@code referrers}. Its accumulators are {@code Object[]}s of those present.
   *
   * @throws IllegalArgumentException if neither visitors count is asked for
   */
  static CombineFns.ComposedCombineFn<PageView> statsFn(
      boolean exactVisitors, @Nullable Integer sketchLgK) {
    if (!exactVisitors && sketchLgK == null) {
      throw new IllegalArgumentException("approximate visitors need a sketch size");
    }
    CombineFns.ComposedCombineFn<PageView> composed =
        CombineFns.compose()
            .with(
                new SessionIdFn(),
                StringUtf8Coder.of(),
                PageViewCombineFns.pageViews(),
                PAGE_VIEWS);
    if (exactVisitors) {
      composed =
          composed.with(
              new SessionIdFn(), StringUtf8Coder.of(), PageViewCombineFns.visitors(), VISITORS);
    }
    if (sketchLgK != null) {
      composed =
          composed.with(
              new SessionIdFn(),
              StringUtf8Coder.of(),
              PageViewCombineFns.visitorSketch(sketchLgK),
              VISITORS_SKETCH);
    }
    return composed.with(
        new ReferrerFn(),
        NullableCoder.of(StringUtf8Coder.of()),
        PageViewCombineFns.referrers(),
        REFERRERS);
  }

  /** The record of one (customer, url) and window from the composed result of {@link #statsFn}. */
  static PageViewStats toStats(
      String customer,
      String url,
      IntervalWindow window,
      CombineFns.CoCombineResult result,
      boolean exactVisitors,
      boolean withSketch) {
    byte[] sketch = withSketch ? result.get(VISITORS_SKETCH) : null;
    long visitors =
        exactVisitors
            ? result.get(VISITORS)
            : VisitorSketches.estimate(checkArgumentNotNull(sketch));
    return PageViewStats.of(
        customer,
        url,
        window.start(),
        window.end(),
        result.get(PAGE_VIEWS),
        visitors,
        result.get(REFERRERS),
        sketch);
  }

  /** The coder of a bucket's map from (customer, url) to composed accumulators. */
  static Coder<Map<KV<String, String>, Object[]>> mapCoder(
      CombineFns.ComposedCombineFn<PageView> stats, CoderRegistry registry, Coder<PageView> views)
      throws CannotProvideCoderException {
    return MapCoder.of(
        KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()),
        stats.getAccumulatorCoder(registry, views));
  }

  /** The hash bucket, in {@code [0, buckets)}, of a view's (customer, url). */
  static int bucketOf(PageView view, int buckets) {
    return Math.floorMod(31 * view.getCustomer().hashCode() + view.getUrl().hashCode(), buckets);
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
      return mapCoder(stats, registry, input);
    }

    @Override
    public Coder<Map<KV<String, String>, Object[]>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<PageView> input) throws CannotProvideCoderException {
      return getAccumulatorCoder(registry, input);
    }
  }

  /** Finishes each (customer, url) of a bucket into a {@link PageViewStats} of its window. */
  static final class ToPageViewStatsFn
      extends DoFn<KV<Integer, Map<KV<String, String>, Object[]>>, PageViewStats> {
    private final CombineFns.ComposedCombineFn<PageView> stats;
    private final boolean exactVisitors;
    private final boolean withSketch;
    private final Counter records =
        Metrics.counter(RollUpPageViews.class, RollUpPageViews.ROLLUP_RECORDS);

    ToPageViewStatsFn(
        CombineFns.ComposedCombineFn<PageView> stats, boolean exactVisitors, boolean withSketch) {
      this.stats = stats;
      this.exactVisitors = exactVisitors;
      this.withSketch = withSketch;
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
            toStats(
                url.getKey().getKey(),
                url.getKey().getValue(),
                window,
                result,
                exactVisitors,
                withSketch));
      }
    }
  }
}
