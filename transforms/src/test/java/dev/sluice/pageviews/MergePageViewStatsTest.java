package dev.sluice.pageviews;

import static dev.sluice.pageviews.PageViewFixtures.TEN;
import static dev.sluice.pageviews.PageViewFixtures.URL;
import static dev.sluice.pageviews.PageViewFixtures.referrers;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.sluice.deadletter.DeadLetter;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class MergePageViewStatsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Duration HOUR = Duration.standardHours(1);
  private static final Instant DAY = Instant.parse("2017-09-17T00:00:00Z");

  /** An hourly record of {@code sessions}, with their sketch. */
  private static PageViewStats hourly(
      Instant start, long views, List<String> sessions, Object... refs) {
    return PageViewStats.of(
        "a.com",
        URL,
        start,
        start.plus(HOUR),
        views,
        sessions.size(),
        referrers(refs),
        VisitorSketches.of(12, sessions));
  }

  /** The record as text, its sketch read as its estimate. */
  private static String text(PageViewStats stats) {
    return stats.getCustomer()
        + " "
        + stats.getWindowStart()
        + "/"
        + stats.getWindowEnd()
        + " views="
        + stats.getPageViews()
        + " visitors="
        + stats.getVisitors()
        + " sketch="
        + VisitorSketches.estimate(stats.getVisitorsSketch())
        + " "
        + stats.getReferrers();
  }

  private static PCollection<String> texts(PCollection<PageViewStats> stats) {
    return stats.apply(
        "AsText", MapElements.into(TypeDescriptors.strings()).via(MergePageViewStatsTest::text));
  }

  @Test
  public void hoursOfADayMergeAndASessionInTwoHoursCountsOnce() {
    WithFailures.Result<PCollection<PageViewStats>, DeadLetter> daily =
        p.apply(
                Create.of(
                    hourly(TEN, 3, List.of("s1", "s2"), "g", 2, "b", 1),
                    hourly(TEN.plus(HOUR), 2, List.of("s2", "s3"), "g", 2),
                    hourly(DAY.plus(Duration.standardDays(1)), 1, List.of("s9"))))
            .apply(MergePageViewStats.daily());
    PAssert.that(texts(daily.output()))
        .containsInAnyOrder(
            "a.com 2017-09-17T00:00:00.000Z/2017-09-18T00:00:00.000Z views=5 visitors=3 sketch=3"
                + " {b=1, g=4}",
            "a.com 2017-09-18T00:00:00.000Z/2017-09-19T00:00:00.000Z views=1 visitors=1 sketch=1"
                + " {}");
    PAssert.that(daily.failures()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void weeksStartOnMondayAndMergeDays() {
    // 2017-09-17 is a Sunday: its week began on Monday 2017-09-11; the 18th starts the next.
    Instant monday = Instant.parse("2017-09-11T00:00:00Z");
    MergePageViewStats weekly = MergePageViewStats.weekly();
    assertEquals(monday.getMillis(), weekly.windowStart(DAY.getMillis()));
    assertEquals(
        Instant.parse("2017-09-18T00:00:00Z").getMillis(),
        weekly.windowStart(DAY.plus(Duration.standardDays(1)).getMillis()));
    PCollection<PageViewStats> days =
        p.apply(Create.of(hourly(TEN, 1, List.of("s1")), hourly(monday, 1, List.of("s1", "s2"))))
            .apply("Daily", MergePageViewStats.daily())
            .output();
    PAssert.that(texts(days.apply("Weekly", weekly).output()))
        .containsInAnyOrder(
            "a.com 2017-09-11T00:00:00.000Z/2017-09-18T00:00:00.000Z views=2 visitors=2 sketch=2"
                + " {}");
    p.run().waitUntilFinish();
  }

  @Test
  public void recordsThatCannotMergeAreDeadLetters() {
    PageViewStats noSketch = PageViewStats.of("a.com", URL, TEN, TEN.plus(HOUR), 1, 1, referrers());
    PageViewStats badSketch =
        PageViewStats.of("a.com", URL, TEN, TEN.plus(HOUR), 1, 1, referrers(), new byte[] {7, 7});
    PageViewStats acrossDays =
        PageViewStats.of(
            "a.com",
            URL,
            DAY.minus(HOUR),
            DAY.plus(HOUR),
            1,
            1,
            referrers(),
            VisitorSketches.of(12, List.of("s1")));
    WithFailures.Result<PCollection<PageViewStats>, DeadLetter> daily =
        p.apply(Create.of(noSketch, badSketch, acrossDays, hourly(TEN, 1, List.of("s1"))))
            .apply(MergePageViewStats.daily());
    PAssert.that(
            daily
                .failures()
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(d -> d.getStep() + ": " + d.getReason().replaceAll(" \\(.*", ""))))
        .containsInAnyOrder(
            "MergePageViewStats: no visitors sketch",
            "MergePageViewStats: visitors sketch is not a DataSketches HLL sketch",
            "MergePageViewStats: window 2017-09-16T23:00:00.000Z to 2017-09-17T01:00:00.000Z does"
                + " not lie within one 1day window");
    PAssert.that(texts(daily.output()))
        .containsInAnyOrder(
            "a.com 2017-09-17T00:00:00.000Z/2017-09-18T00:00:00.000Z views=1 visitors=1 sketch=1"
                + " {}");
    p.run().waitUntilFinish();
  }

  @Test
  public void windowsMustDivideADay() {
    assertThrows(
        IllegalArgumentException.class, () -> MergePageViewStats.into(Duration.standardHours(7)));
  }
}
