package dev.sluice.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class HourlyPageViewsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final String URL = "http://a.com/articles/1";
  private static final Instant TEN = Instant.parse("2017-09-17T10:00:00.000Z");
  private static final Instant ELEVEN = Instant.parse("2017-09-17T11:00:00.000Z");
  private static final Duration HOUR = Duration.standardHours(1);

  private static PageView view(String url, String referrer, String session, Instant at) {
    return PageView.of("a.com", url, referrer, session, at.getMillis());
  }

  private static Map<String, Long> referrers(Object... referrerThenCount) {
    Map<String, Long> map = new TreeMap<>();
    for (int i = 0; i < referrerThenCount.length; i += 2) {
      map.put((String) referrerThenCount[i], ((Number) referrerThenCount[i + 1]).longValue());
    }
    return map;
  }

  private static PageViewStats stats(
      String url, Instant start, Duration size, long views, long visitors, Map<String, Long> refs) {
    return PageViewStats.of("a.com", url, start, start.plus(size), views, visitors, refs);
  }

  @Test
  public void windowBoundariesAreExactHours() {
    PCollection<PageViewStats> stats =
        p.apply(
                Create.of(
                    view(URL, "g", "s1", TEN),
                    view(URL, "g", "s2", ELEVEN.minus(Duration.millis(1))),
                    view(URL, "b", "s1", ELEVEN)))
            .apply(HourlyPageViews.create());
    PAssert.that(stats)
        .containsInAnyOrder(
            stats(URL, TEN, HOUR, 2, 2, referrers("g", 2)),
            stats(URL, ELEVEN, HOUR, 1, 1, referrers("b", 1)));
    p.run().waitUntilFinish();
  }

  @Test
  public void eventsOnDifferentDaysAndUrlsAreSeparate() {
    Instant nextDay = TEN.plus(Duration.standardDays(1));
    PCollection<PageViewStats> stats =
        p.apply(
                Create.of(
                    view(URL, "g", "s1", TEN.plus(Duration.standardMinutes(5))),
                    view(URL, "g", "s1", nextDay.plus(Duration.standardMinutes(5))),
                    view("http://a.com/articles/2", "g", "s1", TEN)))
            .apply(HourlyPageViews.create());
    PAssert.that(stats)
        .containsInAnyOrder(
            stats(URL, TEN, HOUR, 1, 1, referrers("g", 1)),
            stats(URL, nextDay, HOUR, 1, 1, referrers("g", 1)),
            stats("http://a.com/articles/2", TEN, HOUR, 1, 1, referrers("g", 1)));
    p.run().waitUntilFinish();
  }

  @Test
  public void nullReferrersAreNotCountedAndOnlyNullsGiveAnEmptyMap() {
    PCollection<PageViewStats> stats =
        p.apply(
                Create.of(
                    view(URL, null, "s1", TEN),
                    view(URL, null, "s2", TEN),
                    view("http://a.com/x", null, "s1", TEN),
                    view("http://a.com/x", "g", "s1", TEN)))
            .apply(HourlyPageViews.create());
    PAssert.that(stats)
        .containsInAnyOrder(
            stats(URL, TEN, HOUR, 2, 2, referrers()),
            stats("http://a.com/x", TEN, HOUR, 2, 1, referrers("g", 1)));
    p.run().waitUntilFinish();
  }

  @Test
  public void manySessionsPerGroupWithFifteenMinuteWindows() {
    List<PageView> views = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      views.add(view(URL, i % 3 == 0 ? "g" : "b", "s" + (i % 210), TEN.plus(i * 100L)));
    }
    Duration quarter = Duration.standardMinutes(15);
    PCollection<PageViewStats> stats =
        p.apply(Create.of(views)).apply(HourlyPageViews.create().withWindowSize(quarter));
    PAssert.that(stats)
        .containsInAnyOrder(stats(URL, TEN, quarter, 3000, 210, referrers("b", 2000, "g", 1000)));
    p.run().waitUntilFinish();
  }

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
    HourlyPageViews small = HourlyPageViews.create().withBuckets(2).withMaxEntriesPerBundle(3);
    PAssert.that(p.apply("FromFiles", Create.of(views)).apply("RollUpFromFiles", small))
        .containsInAnyOrder(rollup);
    PAssert.that(
            p.apply("Timestamped", Create.timestamped(timestamped))
                .apply("RollUpTimestamped", small))
        .containsInAnyOrder(rollup);
    p.run().waitUntilFinish();
  }

  @Test
  public void rejectsWindowsThatDoNotDivideADay() {
    assertThrows(
        IllegalArgumentException.class,
        () -> HourlyPageViews.create().withWindowSize(Duration.standardMinutes(7)));
    assertThrows(
        IllegalArgumentException.class,
        () -> HourlyPageViews.create().withAllowedLateness(Duration.millis(-1)));
  }

  /**
   * Unbounded input: an on-time pane at the watermark, a late pane (accumulating) for a view within
   * the allowed lateness, and a view later than that dropped and counted by the runner.
   */
  @Test
  public void onTimeLateAndDroppedViews() throws Exception {
    TestStream<PageView> stream =
        TestStream.create(p.getSchemaRegistry().getSchemaCoder(PageView.class))
            .advanceWatermarkTo(TEN)
            .addElements(
                TimestampedValue.of(view(URL, "g", "s1", TEN.plus(60_000)), TEN.plus(60_000)),
                TimestampedValue.of(view(URL, "b", "s2", TEN.plus(120_000)), TEN.plus(120_000)))
            // Closes the 10:00 window: the on-time pane fires.
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(10)))
            // Late, but within 30 minutes of lateness: a late pane with the accumulated counts.
            .addElements(
                TimestampedValue.of(view(URL, "g", "s3", TEN.plus(180_000)), TEN.plus(180_000)))
            // Past the end of the window plus the allowed lateness: dropped.
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(45)))
            .addElements(
                TimestampedValue.of(view(URL, "f", "s4", TEN.plus(240_000)), TEN.plus(240_000)))
            .advanceWatermarkToInfinity();

    PCollection<PageViewStats> stats =
        p.apply(stream)
            .apply(HourlyPageViews.create().withAllowedLateness(Duration.standardMinutes(30)));

    IntervalWindow ten = new IntervalWindow(TEN, HOUR);
    PAssert.that(stats)
        .inOnTimePane(ten)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 2, 2, referrers("b", 1, "g", 1)));
    PAssert.that(stats)
        .inLatePane(ten)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 3, 3, referrers("b", 1, "g", 2)));
    // Exactly two panes: the view later than the allowed lateness made no third one.
    PAssert.that(stats)
        .inWindow(ten)
        .containsInAnyOrder(
            stats(URL, TEN, HOUR, 2, 2, referrers("b", 1, "g", 1)),
            stats(URL, TEN, HOUR, 3, 3, referrers("b", 1, "g", 2)));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    long dropped = HourlyPageViews.lateViewsDropped(result.metrics());
    assertEquals(1, dropped);
  }
}
