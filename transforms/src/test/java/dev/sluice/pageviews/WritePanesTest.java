package dev.sluice.pageviews;

import static dev.sluice.pageviews.PageViewFixtures.ELEVEN;
import static dev.sluice.pageviews.PageViewFixtures.TEN;
import static dev.sluice.pageviews.PageViewFixtures.URL;
import static dev.sluice.pageviews.PageViewFixtures.view;
import static org.junit.Assert.assertEquals;

import dev.sluice.io.WriteRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code WriteRecords.lines(...).withFilePerPane()} on the rollup's accumulating panes: one file
 * per pane of each window, named by window and pane, each holding only that pane's records (not the
 * earlier panes' again).
 */
@RunWith(JUnit4.class)
public class WritePanesTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static TimestampedValue<PageView> at(String session, long minute) {
    Instant time = TEN.plus(Duration.standardMinutes(minute));
    return TimestampedValue.of(view(URL, "g", session, time), time);
  }

  @Test
  public void eachPaneIsOneFileWithOnlyItsRecords() throws Exception {
    TestStream<PageView> views =
        TestStream.create(p.getSchemaRegistry().getSchemaCoder(PageView.class))
            .advanceWatermarkTo(TEN)
            .addElements(at("s1", 5), at("s2", 6))
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(5)))
            .addElements(at("s3", 10))
            .advanceWatermarkTo(ELEVEN.plus(Duration.standardMinutes(10)))
            .addElements(at("s4", 20))
            .advanceWatermarkToInfinity();
    Path out = tmp.newFolder("panes").toPath();
    p.apply(views)
        .apply(RollUpPageViews.hourly())
        .apply(FormatAsElasticsearchJson.create().withPane())
        .apply(WriteRecords.lines(out.toString()).withFilePerPane());
    p.run().waitUntilFinish();

    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(out)) {
      for (Path file :
          paths
              .filter(f -> f.toString().endsWith(".json") && !f.toString().contains(".temp"))
              .collect(Collectors.toList())) {
        files.put(out.relativize(file).toString(), pageViewsOf(file));
      }
    }
    assertEquals(
        Map.of(
            "window=2017-09-17T10:00/pane-0-on_time-00000-of-00001.json", "2",
            "window=2017-09-17T10:00/pane-1-late-00000-of-00001.json", "3",
            "window=2017-09-17T10:00/pane-2-late-00000-of-00001.json", "4"),
        files);
  }

  /** The page_views of each line of a file, comma-separated. */
  private static String pageViewsOf(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .map(line -> line.replaceAll(".*\"page_views\": ([0-9]+).*", "$1"))
        .collect(Collectors.joining(","));
  }
}
