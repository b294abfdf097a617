package dev.sluice.pageviews;

import dev.sluice.movement.ShuffleCounts;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Merges the {@link PartialRollup}s of one shuffle key into {@link PageViewStats}: {@code KV<key,
 * Iterable<PartialRollup>>} in, one record per (customer, url) and window out. A window that one
 * partial holds alone is output as it is; groups in several partials are merged: page views and
 * referrer counts add up, session ids are united (exact), or their sketches are (approximate, when
 * the partials carry sketches). With a sketch size, each record keeps the sketch of its sessions,
 * made from the session ids, in byte order, when the partials carry ids: exact rollups then write
 * the same sketch bytes on every run and runner. Sketches merged from sketches (approximate
 * visitors) have bytes that depend on the order the partials arrive. Records are counted as {@value
 * RollUpPageViews#ROLLUP_RECORDS}, in {@link RollUpPageViews}'s namespace.
 */
final class MergePartialRollupsFn extends DoFn<KV<Long, Iterable<PartialRollup>>, PageViewStats> {
  private final long windowMillis;
  private final int sketchLgK;
  private final Counter records =
      Metrics.counter(RollUpPageViews.class, RollUpPageViews.ROLLUP_RECORDS);

  /**
   * @param windowMillis the window size, milliseconds
   * @param sketchLgK 0 for records without a sketch, else the {@code lgK} of the sketch they keep
   */
  MergePartialRollupsFn(long windowMillis, int sketchLgK) {
    this.windowMillis = windowMillis;
    this.sketchLgK = sketchLgK;
  }

  // The groups that come out of the rollup's shuffle (their bytes are those that went in).
  private final ShuffleCounts<KV<Long, Iterable<PartialRollup>>> shuffled =
      ShuffleCounts.outOf(RollUpPageViewFiles.GROUP_PARTIALS, null);

  @FinishBundle
  public void finishBundle() {
    shuffled.publish();
  }

  @ProcessElement
  public void processElement(
      @Element KV<Long, Iterable<PartialRollup>> key, OutputReceiver<PageViewStats> out) {
    shuffled.add(key);
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
              sketch(only, g),
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
                  k -> new Merged(partial.sketchLgK))
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
            merged.visitors(),
            merged.referrers,
            merged.sketch(sketchLgK),
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
      byte @Nullable [] sketch,
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
            referrers,
            sketch));
  }

  /** The sketch record {@code g} of {@code partial} keeps: its own, or one of its session ids. */
  private byte @Nullable [] sketch(PartialRollup partial, int g) {
    if (sketchLgK == 0) {
      return null;
    }
    if (partial.hasSketches()) {
      return bytes(partial.session(partial.sessionStart[g]));
    }
    List<ByteBuffer> sessions = new ArrayList<>();
    for (int s = partial.sessionStart[g]; s < partial.sessionStart[g + 1]; s++) {
      sessions.add(partial.session(s));
    }
    return sketchOf(sessions, sketchLgK);
  }

  /**
   * The sketch of session ids, added in their byte order: a sketch's bytes depend on the order of
   * its input, and sorted ids give every run the same bytes.
   */
  private static byte[] sketchOf(List<ByteBuffer> sessions, int lgK) {
    sessions.sort(ByteBuffer::compareTo);
    Union union = VisitorSketches.newUnion(lgK);
    for (ByteBuffer session : sessions) {
      VisitorSketches.addUtf8(union, bytes(session));
    }
    return VisitorSketches.toBytes(union);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    return Arrays.copyOfRange(
        buffer.array(), buffer.position(), buffer.position() + buffer.remaining());
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

    /** The session ids, when the partials carry ids. */
    final Set<ByteBuffer> sessions = new HashSet<>();

    /** The union of the partials' sketches, when they carry sketches. */
    final @Nullable Union union;

    final Map<String, Long> referrers = new TreeMap<>();

    Merged(int partialSketchLgK) {
      union = partialSketchLgK > 0 ? VisitorSketches.newUnion(partialSketchLgK) : null;
    }

    void add(PartialRollup partial, int g) {
      pageViews += partial.pageViews[g];
      for (int s = partial.sessionStart[g]; s < partial.sessionStart[g + 1]; s++) {
        if (union != null) {
          union.update(HllSketch.heapify(bytes(partial.session(s))));
        } else {
          sessions.add(partial.session(s));
        }
      }
      for (int r = partial.referrerStart[g]; r < partial.referrerStart[g + 1]; r++) {
        referrers.merge(partial.strings[partial.referrers[r]], partial.referrerViews[r], Long::sum);
      }
    }

    long visitors() {
      return union != null ? VisitorSketches.estimate(union) : sessions.size();
    }

    byte @Nullable [] sketch(int lgK) {
      if (lgK == 0) {
        return null;
      }
      if (union != null) {
        return VisitorSketches.toBytes(union);
      }
      return sketchOf(new ArrayList<>(sessions), lgK);
    }
  }
}
