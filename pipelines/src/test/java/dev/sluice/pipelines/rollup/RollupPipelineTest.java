package dev.sluice.pipelines.rollup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.io.FileFormat;
import dev.sluice.io.WriteRecords;
import dev.sluice.pageviews.PageViewStats;
import dev.sluice.pageviews.VisitorSketches;
import dev.sluice.pipelines.pageviews.PageViewsPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.Row;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Rollups of rollups on {@code testdata/pageviews/input}: the hourly Parquet output of {@code
 * pageviews}, merged into days and weeks by {@code rollup}, against {@code pageviews} run on the
 * raw views with the same window: {@code page_views} and {@code referrers} equal, {@code visitors}
 * within three standard errors of the sketch. And {@code --visitors=approx} against the exact
 * count.
 */
@RunWith(JUnit4.class)
public class RollupPipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String INPUT = "--input=testdata/pageviews/input";
  private static final double THREE_SE = 3 * VisitorSketches.relativeStandardError(12);

  private static Path hourlyParquet;

  @BeforeClass
  public static void rollUpHourlyAsParquet() throws Exception {
    hourlyParquet = TMP.newFolder("hourly").toPath();
    pageviews(hourlyParquet, "--format=parquet");
  }

  private static void pageviews(Path out, String... args) throws IOException {
    String[] all = new String[args.length + 3];
    all[0] = INPUT;
    all[1] = "--output=" + out;
    all[2] = "--quiet";
    System.arraycopy(args, 0, all, 3, args.length);
    PageViewsPipeline.run(PageViewsPipeline.parseOptions(all));
  }

  private static void rollup(Path in, Path out, String... args) throws IOException {
    String[] all = new String[args.length + 3];
    all[0] = "--input=" + in;
    all[1] = "--output=" + out;
    all[2] = "--quiet";
    System.arraycopy(args, 0, all, 3, args.length);
    RollupPipeline.run(RollupPipeline.parseOptions(all));
  }

  /** The JSON records of a run's {@code pageviews/}, by {@code _id}. */
  private static Map<String, JsonNode> records(Path out) throws IOException {
    Map<String, JsonNode> byId = new TreeMap<>();
    try (Stream<Path> files = Files.list(out.resolve(PageViewsPipeline.PAGEVIEWS))) {
      for (Path file :
          files
              .filter(f -> f.getFileName().toString().endsWith(".json"))
              .collect(Collectors.toList())) {
        for (String line : Files.readAllLines(file)) {
          JsonNode record = MAPPER.readTree(line);
          byId.put(record.get("_id").asText(), record);
        }
      }
    }
    return byId;
  }

  /**
   * Same ids, {@code page_views}, {@code referrers} and {@code freq}; visitors within three
   * standard errors. Returns how many visitors counts were equal.
   */
  private static int assertSameButVisitors(
      Map<String, JsonNode> expected, Map<String, JsonNode> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    int equal = 0;
    for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
      JsonNode want = e.getValue();
      JsonNode got = actual.get(e.getKey());
      assertEquals(e.getKey(), want.get("freq"), got.get("freq"));
      assertEquals(e.getKey(), want.get("referrers"), got.get("referrers"));
      assertEquals(e.getKey(), want.at("/metrics/page_views"), got.at("/metrics/page_views"));
      long exact = want.at("/metrics/visitors").asLong();
      long estimate = got.at("/metrics/visitors").asLong();
      assertTrue(
          e.getKey() + ": " + estimate + " for " + exact,
          Math.abs(estimate - exact) <= THREE_SE * exact);
      equal += estimate == exact ? 1 : 0;
    }
    return equal;
  }

  private static JsonNode summary(Path out) throws IOException {
    return MAPPER.readTree(out.resolve("summary.json").toFile());
  }

  @Test
  public void theDailyRollupOfHourlyRollupsIsTheDailyRollupOfTheViews() throws Exception {
    Path raw = TMP.newFolder("raw-daily").toPath();
    pageviews(raw, "--window=1d");
    Path daily = TMP.newFolder("daily").toPath();
    rollup(hourlyParquet, daily, "--window=1d");

    Map<String, JsonNode> expected = records(raw);
    int equal = assertSameButVisitors(expected, records(daily));
    assertTrue(equal + " of " + expected.size(), equal > expected.size() * 9 / 10);
    JsonNode summary = summary(daily);
    assertEquals(summary.toString(), "1day", summary.get("window").asText());
    assertEquals(summary.toString(), 0, summary.get("dead_letters").asLong());
    assertEquals(
        summary.toString(),
        summary(hourlyParquet).get("output_records").asLong(),
        summary.get("records_read").asLong());
    assertEquals(summary.toString(), expected.size(), summary.get("output_records").asLong());
    assertTrue(Files.exists(daily.resolve("_SUCCESS")));
  }

  @Test
  public void weeksMergeFromHoursOrFromDaysAlike() throws Exception {
    Path dailyParquet = TMP.newFolder("daily-parquet").toPath();
    rollup(hourlyParquet, dailyParquet, "--window=1d", "--format=parquet");
    Path fromDays = TMP.newFolder("weekly-from-days").toPath();
    rollup(dailyParquet.resolve("pageviews"), fromDays, "--window=1w");
    Path fromHours = TMP.newFolder("weekly-from-hours").toPath();
    rollup(hourlyParquet, fromHours, "--window=1w");
    Path raw = TMP.newFolder("raw-weekly-check").toPath();
    pageviews(raw, "--window=1d");

    Map<String, JsonNode> weekly = records(fromHours);
    assertEquals(weekly, records(fromDays));
    long views =
        weekly.values().stream().mapToLong(r -> r.at("/metrics/page_views").asLong()).sum();
    long rawViews =
        records(raw).values().stream().mapToLong(r -> r.at("/metrics/page_views").asLong()).sum();
    assertEquals(rawViews, views);
    weekly.values().forEach(r -> assertEquals(r.toString(), "1week", r.get("freq").asText()));
  }

  @Test
  public void approximateVisitorsAreWithinThreeStandardErrorsOfTheExactCount() throws Exception {
    Path exact = TMP.newFolder("exact").toPath();
    pageviews(exact);
    Path approx = TMP.newFolder("approx").toPath();
    pageviews(approx, "--visitors=approx");
    assertSameButVisitors(records(exact), records(approx));
    assertEquals("approx", summary(approx).get("visitors").asText());
    assertEquals("12", summary(approx).get("hll_lg_k").asText());
    assertEquals("exact", summary(exact).get("visitors").asText());
  }

  @Test
  public void rollupsWithoutSketchesAreDeadLettersOneByOne() throws Exception {
    Schema withSketch = SchemaRegistry.createDefault().getSchema(PageViewStats.class);
    Schema old =
        Schema.builder()
            .addFields(
                withSketch.getFields().stream()
                    .filter(f -> !f.getName().equals("visitorsSketch"))
                    .collect(Collectors.toList()))
            .build();
    Row hour =
        Row.withSchema(old)
            .addValues(
                "a.com",
                "http://a.com/articles/1",
                new DateTime(2017, 9, 17, 10, 0, DateTimeZone.UTC),
                new DateTime(2017, 9, 17, 11, 0, DateTimeZone.UTC),
                3L,
                2L,
                Map.of("http://g.com/", 3L))
            .build();
    Path oldRollup = TMP.newFolder("old-rollup").toPath();
    Pipeline p = Pipeline.create();
    p.apply(Create.of(hour, hour).withRowSchema(old))
        .apply(
            WriteRecords.<Row>to(oldRollup.resolve("pageviews").toString())
                .withFormat(FileFormat.PARQUET));
    p.run().waitUntilFinish();

    Path out = TMP.newFolder("old-daily").toPath();
    rollup(oldRollup, out);
    JsonNode summary = summary(out);
    assertEquals(summary.toString(), 2, summary.get("records_read").asLong());
    assertEquals(summary.toString(), 2, summary.get("bad_records").asLong());
    assertEquals(summary.toString(), 0, summary.get("output_records").asLong());
    List<String> reasons = new ArrayList<>();
    try (Stream<Path> files = Files.list(out.resolve("dead-letter"))) {
      for (Path file :
          files.filter(f -> f.toString().endsWith(".json")).collect(Collectors.toList())) {
        for (String line : Files.readAllLines(file)) {
          reasons.add(MAPPER.readTree(line).get("reason").asText());
        }
      }
    }
    assertEquals(2, reasons.size());
    reasons.forEach(r -> assertTrue(r, r.startsWith("no visitors sketch")));
  }

  @Test
  public void onlyParquetRollupsCanBeMerged() throws Exception {
    Path json = TMP.newFolder("json-hourly").toPath();
    pageviews(json);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> rollup(json.resolve("pageviews"), TMP.newFolder("refused").toPath()));
    assertTrue(e.getMessage(), e.getMessage().contains("rollup reads Parquet rollups"));
    assertThrows(IllegalArgumentException.class, () -> RollupPipeline.merge("5h"));
    assertThrows(
        IllegalArgumentException.class,
        () -> PageViewsPipeline.parseOptions(INPUT, "--output=x", "--visitors=maybe"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PageViewsPipeline.parseOptions(
                INPUT, "--output=x", "--visitors=approx", "--hllLgK=30"));
  }
}
