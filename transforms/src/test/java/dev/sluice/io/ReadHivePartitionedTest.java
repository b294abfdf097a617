package dev.sluice.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.pageviews.PageView;
import dev.sluice.pageviews.PageViewParquetWriter;
import dev.sluice.pageviews.PageViewParquetWriter.TimestampEncoding;
import dev.sluice.pageviews.ToPageViews;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.joda.time.Instant;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class ReadHivePartitionedTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final Instant TEN = Instant.parse("2017-09-17T10:00:00Z");
  private static final Instant ELEVEN = Instant.parse("2017-09-17T11:00:00Z");
  private static final Instant NOON = Instant.parse("2017-09-17T12:00:00Z");
  private static final Instant ONE = Instant.parse("2017-09-17T13:00:00Z");

  private String root;

  private Path partition(String hour, String customer) throws IOException {
    Path dir =
        tmp.getRoot()
            .toPath()
            .resolve("year=2017/month=09/day=17/hour=" + hour + "/customer=" + customer);
    Files.createDirectories(dir);
    return dir;
  }

  private static void parquet(
      Path file, CompressionCodecName codec, TimestampEncoding ts, PageView... views)
      throws IOException {
    try (PageViewParquetWriter writer = PageViewParquetWriter.open(file.toString(), codec, ts)) {
      for (PageView view : views) {
        writer.write(view);
      }
    }
  }

  @Before
  public void writeTree() throws IOException {
    root = tmp.getRoot().getPath();
    parquet(
        partition("10", "a.com").resolve("part-0.parquet"),
        CompressionCodecName.GZIP,
        TimestampEncoding.MILLIS,
        PageView.of("a.com", "u1", "g", "s1", TEN.getMillis() + 1),
        PageView.of("a.com", "u1", "b", "s2", TEN.getMillis() + 2));
    parquet(
        partition("11", "a.com").resolve("part-0.parquet"),
        CompressionCodecName.SNAPPY,
        TimestampEncoding.MICROS,
        PageView.of("a.com", "u2", null, "s1", ELEVEN.getMillis() + 3));
    parquet(
        partition("12", "b.com").resolve("part-0.parquet"),
        CompressionCodecName.ZSTD,
        TimestampEncoding.INT96,
        PageView.of("b.com", "u3", "g", "s9", NOON.getMillis() + 4));
    Files.write(
        partition("13", "b.com").resolve("part-0.json"),
        List.of(
            "{\"customer\":\"b.com\",\"url\":\"u4\",\"referrer\":null,\"session_id\":\"s1\","
                + "\"ts\":\"2017-09-17T13:05:00Z\"}",
            "{\"url\":\"u5\",\"session_id\":\"s2\",\"ts\":" + (ONE.getMillis() + 5) + "}",
            "{\"url\":\"u6\",\"session_id\":\"s2\",\"ts\":true}",
            "not json"),
        StandardCharsets.UTF_8);
    Files.write(partition("13", "b.com").resolve("_SUCCESS"), new byte[0]);
    Files.write(partition("13", "b.com").resolve(".part-0.json.crc"), new byte[] {1, 2});
    Files.write(
        partition("14", "b.com").resolve("corrupt.parquet"),
        "PAR1 this is not parquet".getBytes(StandardCharsets.UTF_8));
  }

  private static Row row(
      Schema schema,
      String customer,
      String url,
      String referrer,
      String session,
      Instant ts,
      String hour) {
    return Row.withSchema(schema).addValues(customer, url, referrer, session, ts, hour).build();
  }

  @Test
  public void readsEveryEncodingWithPartitionValuesAndRoutesFailures() {
    ReadHivePartitioned read =
        ReadHivePartitioned.from(root, ToPageViews.COLUMNS).withPartitionKeys("customer", "hour");
    Schema schema = read.outputSchema();
    WithFailures.Result<PCollection<Row>, DeadLetter> result = p.apply(read);

    PAssert.that(result.output())
        .containsInAnyOrder(
            row(schema, "a.com", "u1", "g", "s1", TEN.plus(1), "10"),
            row(schema, "a.com", "u1", "b", "s2", TEN.plus(2), "10"),
            row(schema, "a.com", "u2", null, "s1", ELEVEN.plus(3), "11"),
            row(schema, "b.com", "u3", "g", "s9", NOON.plus(4), "12"),
            row(schema, "b.com", "u4", null, "s1", ONE.plus(300_000), "13"),
            // No customer in the record: the partition value fills it.
            row(schema, "b.com", "u5", null, "s2", ONE.plus(5), "13"));
    PAssert.that(result.failures())
        .satisfies(
            letters -> {
              List<String> reasons = new ArrayList<>();
              for (DeadLetter letter : letters) {
                assertEquals(ReadHivePartitioned.STEP, letter.getStep());
                reasons.add(letter.getReason() + " | " + letter.getPayload());
              }
              reasons.sort(String::compareTo);
              assertEquals(reasons.toString(), 3, reasons.size());
              assertTrue(
                  reasons.get(0),
                  reasons
                      .get(0)
                      .startsWith("field 'ts' must be DATETIME, got BOOLEAN | {\"url\":\"u6\""));
              assertTrue(reasons.get(1), reasons.get(1).startsWith("malformed JSON: "));
              assertTrue(
                  reasons.get(2), reasons.get(2).startsWith("unreadable file (after 0 records): "));
              assertTrue(reasons.get(2), reasons.get(2).endsWith("corrupt.parquet"));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void prunesPartitionsOutsideTheTimeRangeWithoutOpeningThem() {
    ReadHivePartitioned read =
        ReadHivePartitioned.from(root, ToPageViews.COLUMNS).withTimeRange(ELEVEN, ONE);
    HivePartitionPlan plan = read.plan();
    assertEquals(5, plan.partitions());
    assertEquals(3, plan.prunedPartitions());
    assertEquals(2, plan.files().size());
    assertTrue(plan.files().get(0).resourceId().toString().contains("hour=11"));
    assertTrue(plan.files().get(1).resourceId().toString().contains("hour=12"));

    PCollection<Row> rows = p.apply(read).output();
    PAssert.that(rows)
        .satisfies(
            all -> {
              int n = 0;
              for (Row r : all) {
                n++;
                assertTrue(
                    r.getString("url"),
                    r.getString("url").equals("u2") || r.getString("url").equals("u3"));
              }
              assertEquals(2, n);
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void partitionValuesAndTimeSpans() {
    Map<String, String> values =
        HivePartitions.values(
            "s3://b/root/year=2017/month=09/day=17/hour=10/customer=a%3Db/x.parquet");
    assertEquals(
        Map.of("year", "2017", "month", "09", "day", "17", "hour", "10", "customer", "a=b"),
        values);
    assertEquals(TEN, HivePartitions.timeSpan(values).getStart().toInstant());
    assertEquals(ELEVEN, HivePartitions.timeSpan(values).getEnd().toInstant());
    assertTrue(HivePartitions.mayOverlap(values, TEN.plus(3_599_999), null));
    assertTrue(!HivePartitions.mayOverlap(values, ELEVEN, null));
    assertTrue(!HivePartitions.mayOverlap(values, null, TEN));
    assertTrue(HivePartitions.mayOverlap(Map.of("customer", "x"), ELEVEN, ONE));
  }

  @Test
  public void emptyTreeIsAClearError() throws IOException {
    File empty = tmp.newFolder("empty");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReadHivePartitioned.from(empty.getPath(), ToPageViews.COLUMNS).plan());
    assertTrue(e.getMessage(), e.getMessage().startsWith("no data file"));
  }
}
