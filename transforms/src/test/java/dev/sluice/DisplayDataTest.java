package dev.sluice;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import dev.sluice.churn.LabelChurn;
import dev.sluice.churn.ParseSparkifyEvents;
import dev.sluice.churn.SparkifyEventDecoder;
import dev.sluice.diff.Diff;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FilePlan;
import dev.sluice.io.ReadHivePartitioned;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.WriteRecords;
import dev.sluice.pageviews.FormatAsElasticsearchJson;
import dev.sluice.pageviews.KeepTimeRange;
import dev.sluice.pageviews.RollUpPageViews;
import dev.sluice.pageviews.ToPageViews;
import java.util.List;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Every public transform shows its settings as display data, which the Flink UI, the Dataflow UI
 * and the pipeline picture read.
 */
@RunWith(JUnit4.class)
public class DisplayDataTest {

  /** The value shown for {@code key}, as text; null when there is no such item. */
  private static String shown(DisplayData data, String key) {
    for (DisplayData.Item item : data.items()) {
      if (item.getKey().equals(key)) {
        return String.valueOf(item.getValue());
      }
    }
    return null;
  }

  @Test
  public void readersShowWhatTheyRead() {
    DisplayData read =
        DisplayData.from(
            ReadRecords.of(FilePlan.list("testdata/churn/input"), new SparkifyEventDecoder()));
    assertEquals(String.valueOf(3), shown(read, "files"));
    assertEquals(String.valueOf(2), shown(read, "files.json"));
    assertEquals(String.valueOf(1), shown(read, "files.json.gz"));
    DisplayData hive =
        DisplayData.from(
            ReadHivePartitioned.from("testdata/pageviews/input", ToPageViews.COLUMNS)
                .withPartitionKeys("customer")
                .withTimeRange(Instant.parse("2017-09-17T00:00:00Z"), null));
    assertEquals("customer", shown(hive, "partitionKeys"));
    assertEquals(String.valueOf(28), shown(hive, "partitions"));
    assertEquals("2017-09-17T00:00:00.000Z", shown(hive, "from"));
  }

  @Test
  public void writersShowWhereAndHow() {
    DisplayData write =
        DisplayData.from(WriteRecords.to("out/labelled").withFormat(FileFormat.PARQUET));
    assertEquals("out/labelled", shown(write, "directory"));
    assertEquals("parquet", shown(write, "format"));
    DisplayData lines =
        DisplayData.from(
            WriteRecords.lines("out/pv").withFormat(FileFormat.JSON_GZIP).withNumShards(2));
    assertEquals("json.gz", shown(lines, "format"));
    assertEquals("2", shown(lines, "numShards"));
  }

  @Test
  public void transformsShowTheirSettings() {
    assertEquals(
        "Cancel, Downgrade",
        shown(
            DisplayData.from(LabelChurn.create().withChurnPages(List.of("Cancel", "Downgrade"))),
            "churnPages"));
    DisplayData rollUp =
        DisplayData.from(
            RollUpPageViews.hourly()
                .withWindowSize(Duration.standardMinutes(15))
                .withAllowedLateness(Duration.standardMinutes(30))
                .withBuckets(4));
    assertEquals(
        String.valueOf(Duration.standardMinutes(15).getMillis()), shown(rollUp, "windowSize"));
    assertEquals(
        String.valueOf(Duration.standardMinutes(30).getMillis()), shown(rollUp, "allowedLateness"));
    assertEquals(String.valueOf(4), shown(rollUp, "buckets"));
    assertEquals(
        "web",
        shown(DisplayData.from(FormatAsElasticsearchJson.create().withIndex("web")), "index"));
    assertEquals(
        "2017-09-18T00:00:00.000Z",
        shown(
            DisplayData.from(KeepTimeRange.between(null, Instant.parse("2017-09-18T00:00:00Z"))),
            "to"));
    assertEquals(
        String.valueOf(8), shown(DisplayData.from(Diff.create().withBuckets(8)), "buckets"));
    assertNotNull(shown(DisplayData.from(ToPageViews.create()), "requiredColumns"));
    assertNotNull(shown(DisplayData.from(ParseSparkifyEvents.create()), "deadLetterStep"));
  }
}
