package dev.sluice.pipelines.pageviews;

import dev.sluice.pageviews.PageView;
import dev.sluice.pageviews.PageViewParquetWriter;
import dev.sluice.pageviews.PageViewParquetWriter.TimestampEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.joda.time.Instant;

/**
 * Builds {@code testdata/pageviews/input}: a small tree with every encoding the reader accepts and
 * the failures it must route. Run from the repository root (deterministic):
 *
 * <pre>
 * mvn -q -pl pipelines -am test-compile
 * java -cp "pipelines/target/test-classes:pipelines/target/classes:transforms/target/classes:$(cat cp.txt)" \
 *     dev.sluice.pipelines.pageviews.PageViewsTestData
 * </pre>
 *
 * where {@code cp.txt} is {@code mvn -q -pl pipelines dependency:build-classpath
 * -Dmdep.outputFile=cp.txt}.
 */
public final class PageViewsTestData {

  private PageViewsTestData() {}

  public static void main(String[] args) throws IOException {
    Path root = Paths.get("testdata", "pageviews", "input");
    // 3,000 views of the talk's distribution: 24 hours of 2017-09-17, gzip, INT64 millis.
    GeneratePageViews.run(
        GeneratePageViews.parseOptions("--count=3000", "--dist=seed", "--seed=7", "--out=" + root));

    Instant midnight = Instant.parse("2017-09-18T00:00:00Z");
    SplittableRandom random = new SplittableRandom(11);
    write(
        root,
        "00",
        "b.com",
        CompressionCodecName.ZSTD,
        TimestampEncoding.INT96,
        views("b.com", midnight, random, 40));
    write(
        root,
        "01",
        "b.com",
        CompressionCodecName.SNAPPY,
        TimestampEncoding.MICROS,
        views("b.com", midnight.plus(3_600_000L), random, 40));

    Path json = partition(root, "02", "c.com");
    Files.write(
        json.resolve("part-00000.json"),
        List.of(
            "{\"customer\": \"c.com\", \"url\": \"http://c.com/\", \"referrer\": \"http://bing.com/\","
                + " \"session_id\": \"x1\", \"ts\": \"2017-09-18T02:10:00Z\"}",
            "{\"url\": \"http://c.com/\", \"referrer\": null, \"session_id\": \"x2\","
                + " \"ts\": 1505700900000}",
            "{\"customer\": \"c.com\", \"url\": \"http://c.com/about\", \"session_id\": \"x1\","
                + " \"ts\": \"2017-09-18T02:59:59.999Z\"}",
            "{\"customer\": \"c.com\", \"url\": \"http://c.com/\", \"session_id\": null,"
                + " \"ts\": \"2017-09-18T02:20:00Z\"}",
            "{\"customer\": \"c.com\", \"url\": \"http://c.com/\", \"session_id\": \"x3\","
                + " \"ts\": \"yesterday\"}",
            "{\"customer\": \"c.com\", \"url\": \"http://c.com/\""),
        StandardCharsets.UTF_8);
    Files.write(
        partition(root, "03", "c.com").resolve("part-00000.parquet"),
        "PAR1 not really parquet PAR1".getBytes(StandardCharsets.UTF_8));
  }

  private static PageView[] views(String customer, Instant hour, SplittableRandom random, int n) {
    String[] referrers = {"http://google.com/", "http://t.co/", null};
    PageView[] views = new PageView[n];
    for (int i = 0; i < n; i++) {
      views[i] =
          PageView.of(
              customer,
              "http://" + customer + "/p" + random.nextInt(4),
              referrers[random.nextInt(referrers.length)],
              "s" + random.nextInt(12),
              hour.getMillis() + random.nextInt(3_600_000));
    }
    return views;
  }

  private static Path partition(Path root, String hour, String customer) throws IOException {
    Path dir = root.resolve("year=2017/month=09/day=18/hour=" + hour + "/customer=" + customer);
    Files.createDirectories(dir);
    return dir;
  }

  private static void write(
      Path root,
      String hour,
      String customer,
      CompressionCodecName codec,
      TimestampEncoding ts,
      PageView... views)
      throws IOException {
    Path file = partition(root, hour, customer).resolve("part-00000.parquet");
    try (PageViewParquetWriter writer = PageViewParquetWriter.open(file.toString(), codec, ts)) {
      for (PageView view : views) {
        writer.write(view);
      }
    }
  }
}
