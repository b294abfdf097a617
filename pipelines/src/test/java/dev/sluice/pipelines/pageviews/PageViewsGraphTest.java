package dev.sluice.pipelines.pageviews;

import static org.junit.Assert.assertEquals;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.pageviews.PageViewStats;
import dev.sluice.pageviews.ToPageViews;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The rollup graph without its I/O, as Beam's {@code LeaderBoardTest} tests its pipeline: rows
 * created in memory go through {@link PageViewsPipeline#rollUp} with a time range, and the rollup
 * and the dead letters are asserted.
 */
@RunWith(JUnit4.class)
public class PageViewsGraphTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Instant TEN = Instant.parse("2017-09-17T10:00:00Z");

  private static Row row(String url, String referrer, String session, Instant ts) {
    return Row.withSchema(ToPageViews.COLUMNS)
        .addValues("a.com", url, referrer, session, ts)
        .build();
  }

  @Test
  public void rollsUpTheViewsInTheRangeAndRoutesInvalidRowsToTheDeadLetter() throws Exception {
    PCollection<Row> rows =
        p.apply(
            "Rows",
            Create.of(
                    row("u1", "g", "s1", TEN.plus(1)),
                    row("u1", null, "s2", TEN.plus(2)),
                    row("u1", "g", "s1", TEN.plus(Duration.standardMinutes(59))),
                    row("u2", "b", "s3", TEN.plus(Duration.standardMinutes(15))),
                    row("u1", "g", "s1", TEN.plus(Duration.standardHours(2))),
                    row("u1", "g", null, TEN.plus(3)))
                .withRowSchema(ToPageViews.COLUMNS));
    PCollection<DeadLetter> none =
        p.apply(
            "NoReadFailures", Create.empty(p.getSchemaRegistry().getSchemaCoder(DeadLetter.class)));

    PageViewsPipeline.Outputs outputs =
        PageViewsPipeline.rollUp(
            WithFailures.Result.of(rows, none),
            TEN,
            TEN.plus(Duration.standardHours(1)),
            Duration.standardMinutes(30));

    Instant half = TEN.plus(Duration.standardMinutes(30));
    PAssert.that(outputs.stats())
        .containsInAnyOrder(
            PageViewStats.of("a.com", "u1", TEN, half, 2, 2, Map.of("g", 1L)),
            PageViewStats.of("a.com", "u2", TEN, half, 1, 1, Map.of("b", 1L)),
            PageViewStats.of(
                "a.com", "u1", half, TEN.plus(Duration.standardHours(1)), 1, 1, Map.of("g", 1L)));
    PAssert.that(outputs.deadLetters())
        .satisfies(
            letters -> {
              int n = 0;
              for (DeadLetter letter : letters) {
                n++;
                assertEquals("null session_id", letter.getReason());
                assertEquals(ToPageViews.STEP, letter.getStep());
              }
              assertEquals(1, n);
              return null;
            });
    p.run().waitUntilFinish();
  }
}
