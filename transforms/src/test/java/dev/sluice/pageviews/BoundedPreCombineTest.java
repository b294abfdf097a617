package dev.sluice.pageviews;

import static dev.sluice.pageviews.PageViewFixtures.ELEVEN;
import static dev.sluice.pageviews.PageViewFixtures.HOUR;
import static dev.sluice.pageviews.PageViewFixtures.TEN;
import static dev.sluice.pageviews.PageViewFixtures.referrers;
import static dev.sluice.pageviews.PageViewFixtures.stats;
import static dev.sluice.pageviews.PageViewFixtures.view;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** The bounded plan of {@link RollUpPageViews}: {@link BoundedPreCombine}. */
@RunWith(JUnit4.class)
public class BoundedPreCombineTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  /**
   * The bounded plan combines within bundles first: with a limit of 3 entries it outputs partial
   * maps many times per bundle (views with the minimum timestamp, as read from files), or, when
   * inputs already carry their event time, keeps them to the end of the bundle. Either way the
   * rollup equals one computed by hand.
   */
  @Test
  public void partialMapsOutputMidBundleGiveTheSameRollup() {
    List<PageView> views = new ArrayList<>();
    List<TimestampedValue<PageView>> timestamped = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String url = "http://a.com/articles/" + (i % 7);
      Instant at = TEN.plus(Duration.standardMinutes(i % 150));
      PageView view = view(url, i % 4 == 0 ? null : "g", "s" + (i % 5), at);
      views.add(view);
      timestamped.add(TimestampedValue.of(view, at));
    }
    List<PageViewStats> rollup = new ArrayList<>();
    for (Instant start : new Instant[] {TEN, ELEVEN, ELEVEN.plus(HOUR)}) {
      for (int u = 0; u < 7; u++) {
        String url = "http://a.com/articles/" + u;
        long count = 0;
        long referred = 0;
        java.util.Set<String> sessions = new java.util.HashSet<>();
        for (PageView v : views) {
          if (v.getUrl().equals(url)
              && v.getTs() >= start.getMillis()
              && v.getTs() < start.plus(HOUR).getMillis()) {
            count++;
            sessions.add(v.getSessionId());
            referred += v.getReferrer() == null ? 0 : 1;
          }
        }
        if (count > 0) {
          rollup.add(
              stats(
                  url,
                  start,
                  HOUR,
                  count,
                  sessions.size(),
                  referred == 0 ? referrers() : referrers("g", referred)));
        }
      }
    }
    RollUpPageViews small = RollUpPageViews.hourly().withBuckets(2).withMaxEntriesPerBundle(3);
    PAssert.that(p.apply("FromFiles", Create.of(views)).apply("RollUpFromFiles", small))
        .containsInAnyOrder(rollup);
    PAssert.that(
            p.apply("Timestamped", Create.timestamped(timestamped))
                .apply("RollUpTimestamped", small))
        .containsInAnyOrder(rollup);
    p.run().waitUntilFinish();
  }

  /**
   * Partial maps are input elements of the merge: merging them must leave them as they were, or a
   * runner that reuses an input (the DirectRunner's immutability check, Flink's object reuse) would
   * count views twice.
   */
  @Test
  public void mergingPartialsLeavesThemUnchanged() throws Exception {
    CombineFns.ComposedCombineFn<PageView> stats = StatsPerUrl.statsFn();
    StatsPerUrl.StatsPerUrlFn perUrl = new StatsPerUrl.StatsPerUrlFn(stats);
    Map<KV<String, String>, Object[]> first = perUrl.createAccumulator();
    perUrl.addInput(first, view("u", "g", "s1", TEN));
    perUrl.addInput(first, view("u", "b", "s2", TEN));
    Map<KV<String, String>, Object[]> second = perUrl.createAccumulator();
    perUrl.addInput(second, view("u", "g", "s3", TEN));
    Map<KV<String, String>, Object[]> firstBefore = copy(first, stats);
    Map<KV<String, String>, Object[]> secondBefore = copy(second, stats);

    Combine.CombineFn<
            Map<KV<String, String>, Object[]>,
            Map<KV<String, String>, Object[]>,
            Map<KV<String, String>, Object[]>>
        merge =
            new BoundedPreCombine.MergePartialsFn(
                stats,
                StatsPerUrl.mapCoder(
                    stats,
                    CoderRegistry.createDefault(),
                    p.getSchemaRegistry().getSchemaCoder(PageView.class)));
    Map<KV<String, String>, Object[]> merged =
        merge.addInput(merge.addInput(merge.createAccumulator(), first), second);

    Object[] url = merged.get(KV.of("a.com", "u"));
    assertEquals(3L, (long) stats.extractOutput(url).get(new TupleTag<Long>("page_views")));
    assertEquals(3L, (long) stats.extractOutput(url).get(new TupleTag<Long>("visitors")));
    assertEquals(text(firstBefore, stats), text(first, stats));
    assertEquals(text(secondBefore, stats), text(second, stats));
  }

  private static Map<KV<String, String>, Object[]> copy(
      Map<KV<String, String>, Object[]> partial, CombineFns.ComposedCombineFn<PageView> stats) {
    Map<KV<String, String>, Object[]> copy = new HashMap<>();
    partial.forEach(
        (k, v) -> copy.put(k, stats.mergeAccumulators(List.of(stats.createAccumulator(), v))));
    return copy;
  }

  private static String text(
      Map<KV<String, String>, Object[]> partial, CombineFns.ComposedCombineFn<PageView> stats) {
    StringBuilder text = new StringBuilder();
    partial.forEach(
        (k, v) ->
            text.append(k)
                .append('=')
                .append(stats.extractOutput(v).get(new TupleTag<Long>("page_views")))
                .append('/')
                .append(stats.extractOutput(v).get(new TupleTag<Long>("visitors")))
                .append(';'));
    return text.toString();
  }
}
