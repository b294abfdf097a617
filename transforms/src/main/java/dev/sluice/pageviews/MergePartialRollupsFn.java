package dev.sluice.pageviews;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * Merges the {@link PartialRollup}s of one shuffle key into {@link PageViewStats}: {@code KV<key,
 * Iterable<PartialRollup>>} in, one record per (customer, url) and window out. A window that one
 * partial holds alone is output as it is; groups in several partials are merged: page views and
 * referrer counts add up, session ids are united (exact). Records are counted as {@value
 * RollUpPageViews#ROLLUP_RECORDS}, in {@link RollUpPageViews}'s namespace.
 */
final class MergePartialRollupsFn extends DoFn<KV<Long, Iterable<PartialRollup>>, PageViewStats> {
  private final long windowMillis;
  private final Counter records =
      Metrics.counter(RollUpPageViews.class, RollUpPageViews.ROLLUP_RECORDS);

  MergePartialRollupsFn(long windowMillis) {
    this.windowMillis = windowMillis;
  }

  @ProcessElement
  public void processElement(
      @Element KV<Long, Iterable<PartialRollup>> key, OutputReceiver<PageViewStats> out) {
    Map<Long, List<PartialRollup>> byWindow = new HashMap<>();
    for (PartialRollup partial : key.getValue()) {
      byWindow.computeIfAbsent(partial.windowStart, w -> new ArrayList<>(1)).add(partial);
    }
    for (List<PartialRollup> window : byWindow.values()) {
      if (window.size() == 1) {
        PartialRollup only = window.get(0);
        for (int g = 0; g < only.groups(); g++) {
          emit(
              only.strings[only.customers[g]],
              only.strings[only.urls[g]],
              only.windowStart,
              only.pageViews[g],
              only.visitors(g),
              referrers(only, g),
              out);
        }
        continue;
      }
      Map<KV<String, String>, Merged> groups = new HashMap<>();
      for (PartialRollup partial : window) {
        for (int g = 0; g < partial.groups(); g++) {
          groups
              .computeIfAbsent(
                  KV.of(partial.strings[partial.customers[g]], partial.strings[partial.urls[g]]),
                  k -> new Merged())
              .add(partial, g);
        }
      }
      long windowStart = window.get(0).windowStart;
      for (Map.Entry<KV<String, String>, Merged> group : groups.entrySet()) {
        Merged merged = group.getValue();
        emit(
            group.getKey().getKey(),
            group.getKey().getValue(),
            windowStart,
            merged.pageViews,
            merged.sessions.size(),
            merged.referrers,
            out);
      }
    }
  }

  private void emit(
      String customer,
      String url,
      long windowStart,
      long pageViews,
      long visitors,
      Map<String, Long> referrers,
      OutputReceiver<PageViewStats> out) {
    records.inc();
    out.output(
        PageViewStats.of(
            customer,
            url,
            Instant.ofEpochMilli(windowStart),
            Instant.ofEpochMilli(windowStart + windowMillis),
            pageViews,
            visitors,
            referrers));
  }

  private static Map<String, Long> referrers(PartialRollup partial, int g) {
    if (partial.referrerStart[g] == partial.referrerStart[g + 1]) {
      return Collections.emptyMap();
    }
    Map<String, Long> counts = new TreeMap<>();
    for (int r = partial.referrerStart[g]; r < partial.referrerStart[g + 1]; r++) {
      counts.put(partial.strings[partial.referrers[r]], partial.referrerViews[r]);
    }
    return counts;
  }

  /** A (customer, url) held by several partials. */
  private static final class Merged {
    long pageViews;
    final Set<ByteBuffer> sessions = new HashSet<>();
    final Map<String, Long> referrers = new TreeMap<>();

    void add(PartialRollup partial, int g) {
      pageViews += partial.pageViews[g];
      for (int s = partial.sessionStart[g]; s < partial.sessionStart[g + 1]; s++) {
        sessions.add(partial.session(s));
      }
      for (int r = partial.referrerStart[g]; r < partial.referrerStart[g + 1]; r++) {
        referrers.merge(partial.strings[partial.referrers[r]], partial.referrerViews[r], Long::sum);
      }
    }
  }
}
