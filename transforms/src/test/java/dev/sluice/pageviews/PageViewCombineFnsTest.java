package dev.sluice.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.CombineFnTester;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class PageViewCombineFnsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static SortedMap<String, Long> counts(Object... referrerThenCount) {
    SortedMap<String, Long> map = new TreeMap<>();
    for (int i = 0; i < referrerThenCount.length; i += 2) {
      map.put((String) referrerThenCount[i], ((Number) referrerThenCount[i + 1]).longValue());
    }
    return map;
  }

  @Test
  public void visitorsCountsDistinctSessionsInEveryMergeOrder() {
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      sessions.add("s" + (i % 210));
    }
    CombineFnTester.testCombineFn(PageViewCombineFns.visitors(), sessions, 210L);
    CombineFnTester.testCombineFn(
        PageViewCombineFns.visitors(), new ArrayList<>(List.of("only")), 1L);
  }

  @Test
  public void visitorsRejectsNullSessionIds() {
    assertThrows(
        NullPointerException.class,
        () ->
            CombineFnTester.testCombineFn(
                PageViewCombineFns.visitors(), Arrays.asList("a", null), 1L));
  }

  @Test
  public void referrersCountsNonNullReferrersInEveryMergeOrder() {
    CombineFnTester.testCombineFn(
        PageViewCombineFns.referrers(),
        Arrays.asList("http://google.com/", null, "http://bing.com/", "http://google.com/", null),
        counts("http://bing.com/", 1, "http://google.com/", 2));
    CombineFnTester.testCombineFn(
        PageViewCombineFns.referrers(), Arrays.asList(null, null), counts());
  }

  /**
   * Runners such as Flink merge accumulators their coder decoded, and Beam decodes an empty map or
   * set as read-only: every combiner must accept those, in addInput and in mergeAccumulators.
   */
  @Test
  public void acceptsAccumulatorsDecodedByTheirCoder() throws Exception {
    CoderRegistry registry = CoderRegistry.createDefault();
    assertEquals(
        counts("g", 2),
        afterDecodedEmpties(
            PageViewCombineFns.referrers(), registry, NullableCoder.of(StringUtf8Coder.of()), "g"));
    assertEquals(
        1L,
        (long)
            afterDecodedEmpties(
                PageViewCombineFns.visitors(), registry, StringUtf8Coder.of(), "s1"));
    Map<KV<String, String>, Object[]> urls =
        afterDecodedEmpties(
            new StatsPerUrl.StatsPerUrlFn(StatsPerUrl.statsFn()),
            registry,
            p.getSchemaRegistry().getSchemaCoder(PageView.class),
            PageView.of("a.com", "u", "g", "s1", 0L));
    assertEquals(1, urls.size());
    assertEquals(
        2L,
        (long)
            StatsPerUrl.statsFn()
                .extractOutput(urls.get(KV.of("a.com", "u")))
                .get(new TupleTag<Long>("page_views")));
  }

  /**
   * Adds {@code input} to a decoded empty accumulator, merges a decoded empty accumulator with a
   * decoded one holding {@code input}, merges both results, and extracts the output: {@code input}
   * counted twice.
   */
  private static <InputT, AccumT, OutputT> OutputT afterDecodedEmpties(
      Combine.CombineFn<InputT, AccumT, OutputT> fn,
      CoderRegistry registry,
      Coder<InputT> inputCoder,
      InputT input)
      throws Exception {
    Coder<AccumT> coder = fn.getAccumulatorCoder(registry, inputCoder);
    AccumT added = fn.addInput(CoderUtils.clone(coder, fn.createAccumulator()), input);
    AccumT merged =
        fn.mergeAccumulators(
            List.of(
                CoderUtils.clone(coder, fn.createAccumulator()),
                CoderUtils.clone(coder, fn.addInput(fn.createAccumulator(), input))));
    return fn.extractOutput(fn.mergeAccumulators(List.of(added, merged)));
  }

  @Test
  public void pageViewsCountsEveryInput() {
    CombineFnTester.testCombineFn(
        PageViewCombineFns.pageViews(), new ArrayList<>(List.of("a", "a", "b")), 3L);
  }

  /** Events at 10:59:59.999 and 11:00:00.000 fall into different hours; days do not mix. */
  @Test
  public void combinesPerKeyAndHourWithExactWindowBoundaries() {
    Instant tenOClock = Instant.parse("2017-09-17T10:00:00.000Z");
    Instant elevenOClock = Instant.parse("2017-09-17T11:00:00.000Z");
    Instant nextDayTen = Instant.parse("2017-09-18T10:00:00.000Z");
    PCollection<KV<String, String>> referrers =
        p.apply(
                Create.timestamped(
                        TimestampedValue.of(KV.of("u", "google"), tenOClock),
                        TimestampedValue.of(KV.of("u", (String) null), tenOClock),
                        TimestampedValue.of(
                            KV.of("u", "bing"), elevenOClock.minus(Duration.millis(1))),
                        TimestampedValue.of(KV.of("u", "google"), elevenOClock),
                        TimestampedValue.of(KV.of("u", (String) null), nextDayTen))
                    .withCoder(
                        KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(StringUtf8Coder.of()))))
            .apply(Window.into(FixedWindows.of(Duration.standardHours(1))));

    PCollection<KV<String, SortedMap<String, Long>>> byHour =
        referrers.apply("CountReferrers", Combine.perKey(PageViewCombineFns.referrers()));
    PCollection<KV<String, Long>> views =
        referrers.apply("CountPageViews", Combine.perKey(PageViewCombineFns.pageViews()));

    IntervalWindow ten = new IntervalWindow(tenOClock, Duration.standardHours(1));
    IntervalWindow eleven = new IntervalWindow(elevenOClock, Duration.standardHours(1));
    IntervalWindow nextDay = new IntervalWindow(nextDayTen, Duration.standardHours(1));
    PAssert.that(byHour)
        .inWindow(ten)
        .containsInAnyOrder(KV.of("u", counts("bing", 1, "google", 1)));
    PAssert.that(byHour).inWindow(eleven).containsInAnyOrder(KV.of("u", counts("google", 1)));
    PAssert.that(byHour).inWindow(nextDay).containsInAnyOrder(KV.of("u", counts()));
    PAssert.that(views).inWindow(ten).containsInAnyOrder(KV.of("u", 3L));
    PAssert.that(views).inWindow(eleven).containsInAnyOrder(KV.of("u", 1L));
    PAssert.that(views).inWindow(nextDay).containsInAnyOrder(KV.of("u", 1L));
    p.run().waitUntilFinish();
  }

  @Test
  public void visitorsPerKeyWithManySessions() {
    List<KV<String, String>> visits = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      visits.add(KV.of("url" + (i % 2), "session" + (i % 700)));
    }
    PCollection<KV<String, Long>> visitors =
        p.apply(Create.of(visits)).apply(Combine.perKey(PageViewCombineFns.visitors()));
    // url0 gets the even session numbers below 700 (350 of them), url1 the odd ones.
    PAssert.that(visitors).containsInAnyOrder(KV.of("url0", 350L), KV.of("url1", 350L));
    p.run().waitUntilFinish();
  }
}
