package dev.sluice.pageviews;

import static dev.sluice.pageviews.PageViewFixtures.ELEVEN;
import static dev.sluice.pageviews.PageViewFixtures.HOUR;
import static dev.sluice.pageviews.PageViewFixtures.TEN;
import static dev.sluice.pageviews.PageViewFixtures.URL;
import static dev.sluice.pageviews.PageViewFixtures.referrers;
import static dev.sluice.pageviews.PageViewFixtures.stats;
import static dev.sluice.pageviews.PageViewFixtures.view;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;
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
public class RollUpPageViewsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void windowBoundariesAreExactHours() {
    PCollection<PageViewStats> stats =
        p.apply(
                Create.of(
                    view(URL, "g", "s1", TEN),
                    view(URL, "g", "s2", ELEVEN.minus(Duration.millis(1))),
                    view(URL, "b", "s1", ELEVEN)))
            .apply(RollUpPageViews.hourly());
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
            .apply(RollUpPageViews.hourly());
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
            .apply(RollUpPageViews.hourly());
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
        p.apply(Create.of(views)).apply(RollUpPageViews.hourly().withWindowSize(quarter));
    PAssert.that(stats)
        .containsInAnyOrder(stats(URL, TEN, quarter, 3000, 210, referrers("b", 2000, "g", 1000)));
    p.run().waitUntilFinish();
  }

  @Test
  public void rejectsWindowsThatDoNotDivideADay() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RollUpPageViews.hourly().withWindowSize(Duration.standardMinutes(7)));
    assertThrows(
        IllegalArgumentException.class,
        () -> RollUpPageViews.hourly().withAllowedLateness(Duration.millis(-1)));
  }

  /** Each setting's range, at both its ends. */
  @Test
  public void acceptsEachSettingAtTheEndsOfItsRangeAndNothingBeyond() {
    RollUpPageViews rollUp = RollUpPageViews.hourly();
    assertEquals(1, rollUp.withBuckets(1).buckets());
    assertEquals(65_536, rollUp.withBuckets(65_536).buckets());
    assertThrows(IllegalArgumentException.class, () -> rollUp.withBuckets(0));
    assertThrows(IllegalArgumentException.class, () -> rollUp.withBuckets(65_537));
    assertEquals(1, rollUp.withMaxEntriesPerBundle(1).maxEntriesPerBundle());
    assertThrows(IllegalArgumentException.class, () -> rollUp.withMaxEntriesPerBundle(0));
    assertEquals(Duration.millis(1), rollUp.withWindowSize(Duration.millis(1)).windowSize());
    assertThrows(IllegalArgumentException.class, () -> rollUp.withWindowSize(Duration.ZERO));
    assertEquals(
        Duration.millis(1), rollUp.withEarlyFirings(Duration.millis(1)).earlyFiringDelay());
    assertThrows(IllegalArgumentException.class, () -> rollUp.withEarlyFirings(Duration.ZERO));
    assertEquals(Duration.ZERO, rollUp.withAllowedLateness(Duration.ZERO).allowedLateness());
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
            .apply(RollUpPageViews.hourly().withAllowedLateness(Duration.standardMinutes(30)));

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
    long dropped = RollUpPageViews.lateViewsDropped(result.metrics());
    assertEquals(1, dropped);
  }
}
