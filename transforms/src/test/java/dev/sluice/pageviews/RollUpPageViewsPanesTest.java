package dev.sluice.pageviews;

import static dev.sluice.pageviews.PageViewFixtures.ELEVEN;
import static dev.sluice.pageviews.PageViewFixtures.HOUR;
import static dev.sluice.pageviews.PageViewFixtures.TEN;
import static dev.sluice.pageviews.PageViewFixtures.URL;
import static dev.sluice.pageviews.PageViewFixtures.referrers;
import static dev.sluice.pageviews.PageViewFixtures.stats;
import static dev.sluice.pageviews.PageViewFixtures.view;
import static org.junit.Assert.assertEquals;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Every pane timing of {@link RollUpPageViews} on unbounded input, with TestStream's control of the
 * watermark and of processing time: early (speculative) panes, the on-time pane, successive late
 * panes, zero allowed lateness, and the pane each record names through {@link
 * FormatAsElasticsearchJson#withPane}.
 */
@RunWith(JUnit4.class)
public class RollUpPageViewsPanesTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final IntervalWindow TEN_TO_ELEVEN = new IntervalWindow(TEN, HOUR);

  private TestStream.Builder<PageView> stream() {
    try {
      return TestStream.create(p.getSchemaRegistry().getSchemaCoder(PageView.class));
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TimestampedValue<PageView> at(String referrer, String session, long minute) {
    Instant time = TEN.plus(Duration.standardMinutes(minute));
    return TimestampedValue.of(view(URL, referrer, session, time), time);
  }

  /**
   * With early firings every minute: a speculative pane a minute of processing time after the first
   * view, a second one (accumulated) after more views, then the on-time pane at the watermark with
   * the final counts.
   */
  @Test
  public void earlyPanesThenTheOnTimePane() {
    TestStream<PageView> views =
        stream()
            .advanceWatermarkTo(TEN)
            .addElements(at("g", "s1", 1))
            .advanceProcessingTime(Duration.standardSeconds(61))
            .addElements(at("g", "s2", 2), at("b", "s1", 3))
            .advanceProcessingTime(Duration.standardSeconds(61))
            .addElements(at("b", "s3", 4))
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(1)))
            .advanceWatermarkToInfinity();
    PCollection<PageViewStats> stats =
        p.apply(views)
            .apply(RollUpPageViews.hourly().withEarlyFirings(Duration.standardMinutes(1)));

    PAssert.that(stats)
        .inEarlyPane(TEN_TO_ELEVEN)
        .containsInAnyOrder(
            stats(URL, TEN, HOUR, 1, 1, referrers("g", 1)),
            stats(URL, TEN, HOUR, 3, 2, referrers("b", 1, "g", 2)));
    PAssert.that(stats)
        .inOnTimePane(TEN_TO_ELEVEN)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 4, 3, referrers("b", 2, "g", 2)));
    PAssert.that(
            stats.apply(FormatAsElasticsearchJson.create().withPane()).apply(new PaneSuffixes()))
        .containsInAnyOrder(
            "{\"timing\": \"EARLY\", \"index\": 0} 1",
            "{\"timing\": \"EARLY\", \"index\": 1} 3",
            "{\"timing\": \"ON_TIME\", \"index\": 2} 4");
    p.run().waitUntilFinish();
  }

  /**
   * No early firings asked: one pane per window, on time and final, whatever processing time does.
   */
  @Test
  public void withoutEarlyFiringsOnlyTheOnTimePane() {
    TestStream<PageView> views =
        stream()
            .advanceWatermarkTo(TEN)
            .addElements(at("g", "s1", 1))
            .advanceProcessingTime(Duration.standardMinutes(30))
            .addElements(at("g", "s2", 59))
            .advanceWatermarkToInfinity();
    PCollection<PageViewStats> stats = p.apply(views).apply(RollUpPageViews.hourly());

    PAssert.that(stats)
        .inFinalPane(TEN_TO_ELEVEN)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 2, 2, referrers("g", 2)));
    PAssert.that(stats)
        .inWindow(TEN_TO_ELEVEN)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 2, 2, referrers("g", 2)));
    p.run().waitUntilFinish();
  }

  /**
   * Each late view within the allowed lateness makes one more late pane with the accumulated
   * counts, its index one higher; the pane at the end of the lateness is the last.
   */
  @Test
  public void successiveLatePanesAccumulate() {
    TestStream<PageView> views =
        stream()
            .advanceWatermarkTo(TEN)
            .addElements(at("g", "s1", 5))
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(5)))
            .addElements(at("g", "s2", 10))
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(20)))
            .addElements(at("b", "s3", 15))
            .advanceWatermarkToInfinity();
    PCollection<PageViewStats> stats = p.apply(views).apply(RollUpPageViews.hourly());

    PAssert.that(stats)
        .inOnTimePane(TEN_TO_ELEVEN)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 1, 1, referrers("g", 1)));
    PAssert.that(stats)
        .inLatePane(TEN_TO_ELEVEN)
        .containsInAnyOrder(
            stats(URL, TEN, HOUR, 2, 2, referrers("g", 2)),
            stats(URL, TEN, HOUR, 3, 3, referrers("b", 1, "g", 2)));
    PAssert.that(
            stats.apply(FormatAsElasticsearchJson.create().withPane()).apply(new PaneSuffixes()))
        .containsInAnyOrder(
            "{\"timing\": \"ON_TIME\", \"index\": 0} 1",
            "{\"timing\": \"LATE\", \"index\": 1} 2",
            "{\"timing\": \"LATE\", \"index\": 2} 3");
    p.run().waitUntilFinish();
  }

  /** With no allowed lateness, every view behind the watermark's window end is dropped. */
  @Test
  public void zeroAllowedLatenessDropsEveryLateView() {
    TestStream<PageView> views =
        stream()
            .advanceWatermarkTo(TEN)
            .addElements(at("g", "s1", 5))
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardSeconds(1)))
            .addElements(at("g", "s2", 10), at("g", "s3", 59))
            .advanceWatermarkToInfinity();
    PCollection<PageViewStats> stats =
        p.apply(views).apply(RollUpPageViews.hourly().withAllowedLateness(Duration.ZERO));

    PAssert.that(stats)
        .inWindow(TEN_TO_ELEVEN)
        .containsInAnyOrder(stats(URL, TEN, HOUR, 1, 1, referrers("g", 1)));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(2, RollUpPageViews.lateViewsDropped(result.metrics()));
  }

  /** The pane object and page_views of each formatted line, for exact assertions. */
  static final class PaneSuffixes extends PTransform<PCollection<String>, PCollection<String>> {
    @Override
    public PCollection<String> expand(PCollection<String> lines) {
      return lines.apply(
          MapElements.into(TypeDescriptors.strings())
              .via(
                  line ->
                      line.substring(line.indexOf("\"pane\": ") + 8, line.length() - 1)
                          + " "
                          + line.replaceAll(".*\"page_views\": ([0-9]+).*", "$1")));
    }
  }
}
