package dev.sluice.pageviews;

import static dev.sluice.pageviews.PageViewFixtures.ELEVEN;
import static dev.sluice.pageviews.PageViewFixtures.TEN;
import static dev.sluice.pageviews.PageViewFixtures.URL;
import static dev.sluice.pageviews.PageViewFixtures.view;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** {@link RollUpPageViews} with approximate visitors and with kept sketches, bounded and not. */
@RunWith(JUnit4.class)
public class ApproxVisitorsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  /** 4,000 views of 2,000 sessions at 10:00 (each twice) and one at 11:00. */
  private static List<PageView> views() {
    List<PageView> views = new ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      views.add(
          view(URL, i % 2 == 0 ? "g" : null, "s" + (i % 2_000), TEN.plus(Duration.millis(i))));
    }
    views.add(view(URL, "b", "s1", ELEVEN));
    return views;
  }

  /** What the test checks of a record: window, counts, and whether its sketch agrees. */
  private static PCollection<String> summaries(PCollection<PageViewStats> stats) {
    return stats.apply(
        MapElements.into(TypeDescriptors.strings())
            .via(
                s ->
                    s.getWindowStart()
                        + " views="
                        + s.getPageViews()
                        + " visitors="
                        + (Math.abs(s.getVisitors() - 2_000) <= 3 * 0.01625 * 2_000
                                && s.getPageViews() > 1
                            ? "about 2000"
                            : String.valueOf(s.getVisitors()))
                        + " sketch="
                        + (s.getVisitorsSketch() == null
                            ? "none"
                            : VisitorSketches.estimate(s.getVisitorsSketch()) == s.getVisitors()
                                ? "agrees"
                                : "differs")
                        + " "
                        + s.getReferrers()));
  }

  @Test
  public void boundedApproxVisitorsComeFromTheSketch() {
    PAssert.that(
            summaries(
                p.apply(Create.of(views())).apply(RollUpPageViews.hourly().withApproxVisitors(12))))
        .containsInAnyOrder(
            "2017-09-17T10:00:00.000Z views=4000 visitors=about 2000 sketch=agrees {g=2000}",
            "2017-09-17T11:00:00.000Z views=1 visitors=1 sketch=agrees {b=1}");
    p.run().waitUntilFinish();
  }

  @Test
  public void exactVisitorsCanKeepASketchToo() {
    PCollection<PageViewStats> stats =
        p.apply(Create.of(views())).apply(RollUpPageViews.hourly().withVisitorSketches(12));
    PAssert.that(
            stats.apply(
                "Exact", MapElements.into(TypeDescriptors.longs()).via(PageViewStats::getVisitors)))
        .containsInAnyOrder(2_000L, 1L);
    PAssert.that(
            stats.apply(
                "Sketched",
                MapElements.into(TypeDescriptors.booleans())
                    .via(
                        s ->
                            Math.abs(
                                    VisitorSketches.estimate(s.getVisitorsSketch())
                                        - s.getVisitors())
                                <= 3 * 0.01625 * s.getVisitors())))
        .containsInAnyOrder(true, true);
    p.run().waitUntilFinish();
  }

  @Test
  public void unboundedApproxVisitorsComeFromTheSketch() throws Exception {
    List<TimestampedValue<PageView>> timestamped = new ArrayList<>();
    for (PageView v : views()) {
      timestamped.add(TimestampedValue.of(v, v.eventTime()));
    }
    TestStream<PageView> stream =
        TestStream.create(p.getSchemaRegistry().getSchemaCoder(PageView.class))
            .addElements(
                timestamped.get(0),
                timestamped.subList(1, timestamped.size()).toArray(new TimestampedValue[0]))
            .advanceWatermarkToInfinity();
    PAssert.that(summaries(p.apply(stream).apply(RollUpPageViews.hourly().withApproxVisitors(12))))
        .containsInAnyOrder(
            "2017-09-17T10:00:00.000Z views=4000 visitors=about 2000 sketch=agrees {g=2000}",
            "2017-09-17T11:00:00.000Z views=1 visitors=1 sketch=agrees {b=1}");
    p.run().waitUntilFinish();
  }
}
