package dev.sluice.pipelines.convert;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipelines.churn.ChurnPipeline;
import dev.sluice.pipelines.diff.DiffPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code convert} on {@code testdata/churn/input}, by day: a zstd Parquet tree whose every event
 * lies in its own day's partition, the bad records as dead letters, a balanced summary; and {@code
 * churn} on the tree gives the same outputs as {@code churn} on the JSON.
 */
@RunWith(JUnit4.class)
public class ConvertPipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String INPUT = "--input=testdata/churn/input";
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("'year='yyyy/'month='MM/'day='dd").withZone(ZoneOffset.UTC);

  private static Path converted;

  @BeforeClass
  public static void convertByDay() throws Exception {
    converted = TMP.newFolder("converted").toPath();
    ConvertPipeline.run(
        ConvertPipeline.parseOptions(INPUT, "--output=" + converted, "--partitionBy=day"));
  }

  private static List<Path> parquetFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(f -> f.getFileName().toString().endsWith(".parquet"))
          .filter(f -> !f.toString().contains("/."))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** {@code churn}'s labelled, stayed and cancelled events of two runs are the same records. */
  private static void assertSameChurnOutputs(Path left, Path right) throws IOException {
    for (String output :
        List.of(ChurnPipeline.LABELLED, ChurnPipeline.STAYED, ChurnPipeline.CANCELLED)) {
      assertTrue(
          output,
          DiffPipeline.run(
              DiffPipeline.parseOptions(
                  "--left=" + left.resolve(output), "--right=" + right.resolve(output))));
    }
  }

  @Test
  public void everyEventIsInItsDaysPartitionCompressedWithZstd() throws Exception {
    List<Path> files = parquetFiles(converted.resolve(ConvertPipeline.EVENTS));
    assertFalse(files.isEmpty());
    long events = 0;
    for (Path file : files) {
      String partition =
          converted.resolve(ConvertPipeline.EVENTS).relativize(file.getParent()).toString();
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
      try (ParquetFileReader footer =
          ParquetFileReader.open(HadoopInputFile.fromPath(path, new Configuration()))) {
        for (BlockMetaData block : footer.getFooter().getBlocks()) {
          for (ColumnChunkMetaData column : block.getColumns()) {
            assertEquals(file.toString(), CompressionCodecName.ZSTD, column.getCodec());
          }
        }
      }
      try (ParquetReader<Group> reader =
          ParquetReader.builder(new GroupReadSupport(), path).build()) {
        Group event;
        while ((event = reader.read()) != null) {
          events++;
          assertEquals(
              file.toString(), partition, DAY.format(Instant.ofEpochMilli(event.getLong("ts", 0))));
        }
      }
    }
    JsonNode summary = MAPPER.readTree(converted.resolve("summary.json").toFile());
    assertEquals(summary.toString(), events, summary.get("events_written").asLong());
    assertEquals(
        summary.toString(),
        summary.get("events_read").asLong(),
        summary.get("events_written").asLong() + summary.get("bad_events").asLong());
    assertTrue(Files.exists(converted.resolve("_SUCCESS")));
  }

  @Test
  public void churnOnTheTreeEqualsChurnOnTheJson() throws Exception {
    Path fromJson = TMP.newFolder("churn-json").toPath();
    ChurnPipeline.run(ChurnPipeline.parseOptions(INPUT, "--output=" + fromJson));
    Path fromTree = TMP.newFolder("churn-tree").toPath();
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=" + converted.resolve(ConvertPipeline.EVENTS) + "/**/*.parquet",
            "--output=" + fromTree));
    assertSameChurnOutputs(fromJson, fromTree);
    // The bad records stayed behind in convert's dead letters, as many as churn rejects.
    JsonNode json = MAPPER.readTree(fromJson.resolve("summary.json").toFile());
    JsonNode convert = MAPPER.readTree(converted.resolve("summary.json").toFile());
    JsonNode tree = MAPPER.readTree(fromTree.resolve("summary.json").toFile());
    assertEquals(json.get("bad_events"), convert.get("bad_events"));
    assertEquals(0, tree.get("dead_letters").asLong());
  }

  /**
   * {@code churn --from/--to} on the tree opens only the day partitions of the range, and gives the
   * same outputs as on the JSON, where the events outside are read and skipped.
   */
  @Test
  public void churnOnATimeRangeOfTheTreeReadsOnlyItsPartitions() throws Exception {
    String from = "--from=2018-10-01";
    String to = "--to=2018-11-01";
    Path fromJson = TMP.newFolder("range-json").toPath();
    ChurnPipeline.run(ChurnPipeline.parseOptions(INPUT, "--output=" + fromJson, from, to));
    Path fromTree = TMP.newFolder("range-tree").toPath();
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=" + converted.resolve(ConvertPipeline.EVENTS),
            "--output=" + fromTree,
            from,
            to));
    assertSameChurnOutputs(fromJson, fromTree);
    JsonNode json = MAPPER.readTree(fromJson.resolve("summary.json").toFile());
    JsonNode tree = MAPPER.readTree(fromTree.resolve("summary.json").toFile());
    JsonNode all = MAPPER.readTree(converted.resolve("summary.json").toFile());
    assertTrue(json.toString(), json.get("outside_time_range").asLong() > 0);
    assertTrue(json.toString(), json.get("labelled_events").asLong() > 0);
    // Only October's partitions were opened: no event outside the range was read.
    assertEquals(tree.toString(), 0, tree.get("outside_time_range").asLong());
    assertTrue(tree.toString(), tree.get("pruned_partitions").asLong() > 0);
    assertEquals(
        tree.toString(),
        all.get("events_written").asLong() - json.get("outside_time_range").asLong(),
        tree.get("events_read").asLong());
  }

  @Test
  public void byHourAndUnknownSettings() throws Exception {
    Path byHour = TMP.newFolder("by-hour").toPath();
    ConvertPipeline.run(
        ConvertPipeline.parseOptions(
            INPUT, "--output=" + byHour, "--partitionBy=hour", "--codec=snappy"));
    for (Path file : parquetFiles(byHour.resolve(ConvertPipeline.EVENTS))) {
      String partition = byHour.resolve(ConvertPipeline.EVENTS).relativize(file).toString();
      assertTrue(
          partition,
          partition.matches("year=\\d{4}/month=\\d\\d/day=\\d\\d/hour=\\d\\d/part-.*\\.parquet"));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> ConvertPipeline.parseOptions(INPUT, "--output=x", "--partitionBy=week"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ConvertPipeline.parseOptions(INPUT, "--output=x", "--codec=lz5"));
  }
}
