package dev.sluice.pageviews;

import dev.sluice.movement.ObserveShuffle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The plan {@link RollUpPageViews} uses for bounded input (files): views are combined within each
 * bundle first, before windowing, into partial bucket maps ({@link CombineInBundleFn}), which are
 * then windowed by their timestamps and merged per bucket and window ({@link MergePartialsFn}).
 * Every runner then shuffles a few partial maps per bundle instead of every view, and no step
 * copies, serializes or sorts every view on its way to the shuffle (see benchmarks/README.md for
 * the profiles that led here). Windows use Beam's default trigger: one pane per window, when the
 * watermark passes its end, which every runner combines before the shuffle.
 *
 * <p>Input timestamps must be no later than the views' {@code ts}: the minimum timestamp, as views
 * read from files carry, or the view's own event time.
 */
final class BoundedPreCombine {

  /** Most (customer, url) entries a bundle holds before it outputs its partial maps. */
  static final int MAX_ENTRIES = 50_000;

  /** The shuffle of the bounded rollup's partials, as the run report names it. */
  static final String COMBINE_BUNDLE_PARTIALS = "RollUpPageViews.CombineBundlePartials";

  private BoundedPreCombine() {}

  /**
   * The rollup of bounded views in fixed windows of {@code windowSize}.
   *
   * @param views bounded page views
   * @param windowSize the fixed window size
   * @param buckets hash buckets of (customer, url) per window
   * @param maxEntries most (customer, url) entries a bundle holds before it outputs
   * @param exactVisitors whether visitors are counted exactly (else estimated from the sketch)
   * @param sketchLgK the size of the visitors sketch records keep, or null for none
   * @return one record per (customer, url) and window
   */
  static PCollection<PageViewStats> rollUp(
      PCollection<PageView> views,
      Duration windowSize,
      int buckets,
      int maxEntries,
      boolean exactVisitors,
      @Nullable Integer sketchLgK) {
    CombineFns.ComposedCombineFn<PageView> stats = StatsPerUrl.statsFn(exactVisitors, sketchLgK);
    Coder<Map<KV<String, String>, Object[]>> partialCoder;
    try {
      partialCoder =
          StatsPerUrl.mapCoder(stats, views.getPipeline().getCoderRegistry(), views.getCoder());
    } catch (CannotProvideCoderException e) {
      throw new IllegalStateException("no coder for the page-view accumulators", e);
    }
    return views
        .apply(
            "CombineInBundle",
            ParDo.of(new CombineInBundleFn(stats, windowSize, buckets, maxEntries)))
        .setCoder(KvCoder.of(VarIntCoder.of(), partialCoder))
        .apply(
            "WindowByEventTime",
            Window.<KV<Integer, Map<KV<String, String>, Object[]>>>into(FixedWindows.of(windowSize))
                .triggering(DefaultTrigger.of())
                .withAllowedLateness(Duration.ZERO)
                .discardingFiredPanes())
        .apply("ObserveCombineStats", ObserveShuffle.into(COMBINE_BUNDLE_PARTIALS))
        .apply("CombineStats", Combine.perKey(new MergePartialsFn(stats, partialCoder)))
        .apply("ObserveCombineStatsOut", ObserveShuffle.outOf(COMBINE_BUNDLE_PARTIALS))
        .apply(
            "ToPageViewStats",
            ParDo.of(new StatsPerUrl.ToPageViewStatsFn(stats, exactVisitors, sketchLgK != null)));
  }

  /**
   * Combines the views of a bundle into one partial bucket map per (input window, event-time
   * window, bucket): {@code PageView} in, {@code KV<bucket, Map<(customer, url), accumulator>>}
   * out, each with the timestamp of the latest input of its event-time window, or that window's
   * start if later, so that windowing the output by timestamp puts it in the event-time window of
   * its views.
   *
   * <p>Memory is bounded: when the partial maps hold {@code maxEntries} (customer, url) entries,
   * they are output mid-bundle, which is possible when they are all in the current input's window
   * and not earlier than its timestamp (always so for views read from files: global window, minimum
   * timestamp); otherwise they wait for the end of the bundle.
   */
  static final class CombineInBundleFn
      extends DoFn<PageView, KV<Integer, Map<KV<String, String>, Object[]>>> {
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
      int bucket = StatsPerUrl.bucketOf(view, buckets);
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
    private final StatsPerUrl.StatsPerUrlFn merge;
    private final Coder<Map<KV<String, String>, Object[]>> coder;

    MergePartialsFn(
        CombineFns.ComposedCombineFn<PageView> stats,
        Coder<Map<KV<String, String>, Object[]>> coder) {
      this.stats = stats;
      this.merge = new StatsPerUrl.StatsPerUrlFn(stats);
      this.coder = coder;
    }

    @Override
    public Map<KV<String, String>, Object[]> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<KV<String, String>, Object[]> addInput(
        Map<KV<String, String>, Object[]> accumulator, Map<KV<String, String>, Object[]> partial) {
      Map<KV<String, String>, Object[]> urls = StatsPerUrl.StatsPerUrlFn.mutable(accumulator);
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
}
