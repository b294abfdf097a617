package dev.sluice.benchmarks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.pipelines.churn.ChurnPipeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code churn} on Parquet written by Spark as a Spark user writes it ({@code
 * spark.read.json(...).write.parquet(...)}, the schema inferred: {@code registration} becomes a
 * double, because the November 2018 log writes it as {@code 1540991795796.0}) gives the same
 * labelled, stayed and cancelled events as on the JSON lines: those of {@code
 * testdata/churn/expected}. The input is the two files of real events; {@code malformed.json} holds
 * only dead letters.
 */
@RunWith(JUnit4.class)
public class ChurnFromSparkParquetTest {

  private static final Path TESTDATA = Paths.get("testdata", "churn");
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Path out;

  @BeforeClass
  public static void writeParquetWithSparkAndRunChurn() throws Exception {
    Path parquet = TMP.getRoot().toPath().resolve("events");
    SparkSession spark = SparkSqlSessions.local("write-sparkify-parquet", 1);
    try {
      spark
          .read()
          .json(
              TESTDATA.resolve("input/eventsim-slice.json.gz").toString(),
              TESTDATA.resolve("input/sparkify-2018-11-slice.json").toString())
          .write()
          .parquet(parquet.toString());
    } finally {
      spark.stop();
    }
    out = TMP.getRoot().toPath().resolve("churn");
    ChurnPipeline.run(
        ChurnPipeline.parseOptions("--input=" + parquet, "--output=" + out, "--quiet"));
  }

  @Test
  public void sparkParquetGivesTheExpectedOutputs() throws IOException {
    for (String output : List.of("labelled", "stayed", "cancelled")) {
      assertEquals(
          output,
          canonical(Files.readAllLines(TESTDATA.resolve("expected/" + output + ".json"))),
          canonical(linesIn(out.resolve(output))));
    }
    Path deadLetters = out.resolve("dead-letter");
    assertTrue("no dead letter", !Files.exists(deadLetters) || linesIn(deadLetters).isEmpty());
  }

  private static List<String> linesIn(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files
              .filter(f -> Files.isRegularFile(f) && f.toString().endsWith(".json"))
              .sorted()
              .collect(Collectors.toList())) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          reader.lines().filter(line -> !line.isBlank()).forEach(lines::add);
        }
      }
    }
    return lines;
  }

  /** Each line as JSON with sorted keys, the lines sorted: a multiset of records. */
  private static List<String> canonical(List<String> lines) throws IOException {
    List<String> records = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        records.add(
            CANONICAL.writeValueAsString(
                CANONICAL.treeToValue(CANONICAL.readTree(line), Object.class)));
      }
    }
    records.sort(String::compareTo);
    return records;
  }
}
