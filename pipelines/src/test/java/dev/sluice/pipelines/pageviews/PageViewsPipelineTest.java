package dev.sluice.pipelines.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Runs {@code pageviews} on {@code testdata/pageviews/input} and checks it three ways: the golden
 * files beside the input (exact JSON lines, dead letters, summary), a plain-Java reference rollup
 * that reads the same files with parquet-hadoop's example reader and Jackson, and the Parquet
 * output against the JSON output. Run with {@code -Dsluice.updateGolden=true} to rewrite the golden
 * files after a deliberate change (and review the diff).
 */
@RunWith(JUnit4.class)
public class PageViewsPipelineTest {

  private static final Path TESTDATA = Paths.get("testdata", "pageviews");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:00:00").withZone(ZoneOffset.UTC);

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Path jsonOut;
  private static Path parquetOut;
  private static Path rangeOut;

  @BeforeClass
  public static void runPipeline() throws Exception {
    jsonOut = TMP.newFolder("json").toPath();
    parquetOut = TMP.newFolder("parquet").toPath();
    rangeOut = TMP.newFolder("range").toPath();
    String input = "--input=" + TESTDATA.resolve("input");
    PageViewsPipeline.run(PageViewsPipeline.parseOptions(input, "--output=" + jsonOut));
    PageViewsPipeline.run(
        PageViewsPipeline.parseOptions(input, "--output=" + parquetOut, "--format=parquet"));
    PageViewsPipeline.run(
        PageViewsPipeline.parseOptions(
            input,
            "--output=" + rangeOut,
            "--from=2017-09-17T10:00:00Z",
            "--to=2017-09-17T12:00:00Z",
            "--index=web"));
    if (Boolean.getBoolean("sluice.updateGolden")) {
      Path expected = TESTDATA.resolve("expected");
      Files.createDirectories(expected);
      Files.write(expected.resolve("pageviews.json"), sortedLines(jsonOut.resolve("pageviews")));
      List<String> letters = new ArrayList<>();
      for (String line : sortedLines(jsonOut.resolve("dead-letter"))) {
        letters.add(withRelativeSource(MAPPER.readTree(line)).toString());
      }
      letters.sort(String::compareTo);
      Files.write(expected.resolve("dead-letter.json"), letters);
      JsonNode summary = MAPPER.readTree(jsonOut.resolve("summary.json").toFile());
      ((com.fasterxml.jackson.databind.node.ObjectNode) summary)
          .remove(List.of("input", "output", "wall_time_seconds"));
      Files.writeString(
          expected.resolve("summary.json"),
          MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
    }
  }

  @Test
  public void jsonOutputEqualsTheGoldenFileByteForByte() throws IOException {
    assertEquals(
        Files.readAllLines(TESTDATA.resolve("expected/pageviews.json"), StandardCharsets.UTF_8),
        sortedLines(jsonOut.resolve("pageviews")));
  }

  @Test
  public void deadLettersAndSummaryEqualTheGoldenFiles() throws IOException {
    List<JsonNode> expected = new ArrayList<>();
    for (String line : Files.readAllLines(TESTDATA.resolve("expected/dead-letter.json"))) {
      expected.add(withRelativeSource(MAPPER.readTree(line)));
    }
    List<JsonNode> actual = new ArrayList<>();
    for (String line : sortedLines(jsonOut.resolve("dead-letter"))) {
      actual.add(withRelativeSource(MAPPER.readTree(line)));
    }
    assertEquals(sortByText(expected), sortByText(actual));

    JsonNode summary = MAPPER.readTree(jsonOut.resolve("summary.json").toFile());
    JsonNode golden = MAPPER.readTree(TESTDATA.resolve("expected/summary.json").toFile());
    golden
        .fieldNames()
        .forEachRemaining(name -> assertEquals(name, golden.get(name), summary.get(name)));
    assertEquals(4, summary.get("dead_letters").asLong());
  }

  /** The rollup of a plain reference over the same files, with its own Parquet and JSON reading. */
  @Test
  public void matchesAPlainJavaReferenceRollup() throws IOException {
    Map<String, long[]> views = new TreeMap<>();
    Map<String, Set<String>> sessions = new HashMap<>();
    Map<String, Map<String, Long>> referrers = new HashMap<>();
    for (String[] view : referenceViews()) {
      String key = view[1] + "|" + view[0] + "|" + view[4];
      views.computeIfAbsent(key, k -> new long[1])[0]++;
      sessions.computeIfAbsent(key, k -> new HashSet<>()).add(view[3]);
      Map<String, Long> refs = referrers.computeIfAbsent(key, k -> new TreeMap<>());
      if (view[2] != null) {
        refs.merge(view[2], 1L, Long::sum);
      }
    }
    Map<String, String> expected = new TreeMap<>();
    views.forEach(
        (key, n) ->
            expected.put(key, n[0] + " " + sessions.get(key).size() + " " + referrers.get(key)));

    Map<String, String> actual = new TreeMap<>();
    for (String line : sortedLines(jsonOut.resolve("pageviews"))) {
      JsonNode record = MAPPER.readTree(line);
      Map<String, Long> refs = new TreeMap<>();
      record
          .get("referrers")
          .fields()
          .forEachRemaining(e -> refs.put(e.getKey(), e.getValue().asLong()));
      actual.put(
          record.get("_id").asText(),
          record.get("metrics").get("page_views").asLong()
              + " "
              + record.get("metrics").get("visitors").asLong()
              + " "
              + refs);
    }
    assertTrue(expected.size() > 100);
    assertEquals(expected, actual);
  }

  @Test
  public void parquetOutputHoldsTheSameRollup() throws IOException {
    List<String> json = new ArrayList<>();
    for (String line : sortedLines(jsonOut.resolve("pageviews"))) {
      JsonNode r = MAPPER.readTree(line);
      json.add(
          r.get("customer").asText()
              + "|"
              + r.get("url").asText()
              + "|"
              + r.get("ts").asText()
              + "|"
              + r.get("metrics").get("page_views").asLong()
              + "|"
              + r.get("metrics").get("visitors").asLong()
              + "|"
              + r.get("referrers").size());
    }
    PCollection<String> parquet =
        p.apply(
            ParquetIO.parseGenericRecords(
                    (org.apache.avro.generic.GenericRecord r) ->
                        r.get("customer")
                            + "|"
                            + r.get("url")
                            + "|"
                            + HOUR.format(
                                java.time.Instant.ofEpochMilli(
                                    ((Number) r.get("windowStart")).longValue()))
                            + "|"
                            + r.get("pageViews")
                            + "|"
                            + r.get("visitors")
                            + "|"
                            + ((Map<?, ?>) r.get("referrers")).size())
                .withCoder(StringUtf8Coder.of())
                .from(parquetOut.resolve("pageviews") + "/*.parquet"));
    PAssert.that(parquet).containsInAnyOrder(json);
    p.run().waitUntilFinish();
  }

  @Test
  public void timeRangePrunesPartitionsAndKeepsOnlyItsHours() throws IOException {
    JsonNode summary = MAPPER.readTree(rangeOut.resolve("summary.json").toFile());
    assertEquals(28, summary.get("partitions").asLong());
    assertEquals(26, summary.get("pruned_partitions").asLong());
    assertEquals(2, summary.get("files_read").asLong());
    for (String line : sortedLines(rangeOut.resolve("pageviews"))) {
      JsonNode record = MAPPER.readTree(line);
      assertEquals("web", record.get("_index").asText());
      assertTrue(
          line,
          record.get("ts").asText().equals("2017-09-17T10:00:00")
              || record.get("ts").asText().equals("2017-09-17T11:00:00"));
    }
  }

  /** (customer, url, referrer, session_id, hour) of every valid view, read without Sluice. */
  private static List<String[]> referenceViews() throws IOException {
    List<String[]> views = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> all = Files.walk(TESTDATA.resolve("input"))) {
      files = all.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    for (Path file : files) {
      String customerDir = file.getParent().getFileName().toString().replace("customer=", "");
      if (file.toString().endsWith(".json")) {
        for (String line : Files.readAllLines(file)) {
          JsonNode v;
          try {
            v = MAPPER.readTree(line);
          } catch (IOException e) {
            continue;
          }
          JsonNode ts = v.get("ts");
          long millis;
          if (ts.isNumber()) {
            millis = ts.asLong();
          } else {
            try {
              millis = java.time.Instant.parse(ts.asText()).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
              continue;
            }
          }
          if (v.path("session_id").isNull() || v.path("session_id").isMissingNode()) {
            continue;
          }
          String customer =
              v.path("customer").isTextual() ? v.get("customer").asText() : customerDir;
          views.add(
              new String[] {
                customer,
                v.get("url").asText(),
                v.path("referrer").isTextual() ? v.get("referrer").asText() : null,
                v.get("session_id").asText(),
                HOUR.format(java.time.Instant.ofEpochMilli(millis))
              });
        }
      } else if (file.toString().endsWith(".parquet")) {
        try (ParquetReader<Group> reader =
            ParquetReader.builder(
                    new GroupReadSupport(), new org.apache.hadoop.fs.Path(file.toUri()))
                .withConf(new Configuration())
                .build()) {
          Group g;
          while ((g = reader.read()) != null) {
            views.add(
                new String[] {
                  g.getString("customer", 0),
                  g.getString("url", 0),
                  g.getFieldRepetitionCount("referrer") == 0 ? null : g.getString("referrer", 0),
                  g.getString("session_id", 0),
                  HOUR.format(java.time.Instant.ofEpochMilli(referenceMillis(g)))
                });
          }
        } catch (RuntimeException | IOException e) {
          // The corrupt file: its dead letter is checked by the golden test.
        }
      }
    }
    return views;
  }

  private static long referenceMillis(Group g) {
    PrimitiveType ts = g.getType().getType("ts").asPrimitiveType();
    if (ts.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
      ByteBuffer b = g.getInt96("ts", 0).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long nanos = b.getLong();
      long julianDay = b.getInt();
      return (julianDay - 2_440_588L) * 86_400_000L + nanos / 1_000_000L;
    }
    LogicalTypeAnnotation.TimestampLogicalTypeAnnotation unit =
        (LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) ts.getLogicalTypeAnnotation();
    long value = g.getLong("ts", 0);
    return unit.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS ? value / 1000 : value;
  }

  private static JsonNode withRelativeSource(JsonNode letter) {
    com.fasterxml.jackson.databind.node.ObjectNode copy =
        (com.fasterxml.jackson.databind.node.ObjectNode) letter.deepCopy();
    for (String field : List.of("source", "payload")) {
      String value = copy.get(field).asText();
      int at = value.indexOf("testdata/pageviews/");
      if (at >= 0) {
        copy.put(field, value.substring(at));
      }
    }
    return copy;
  }

  private static List<JsonNode> sortByText(List<JsonNode> nodes) {
    List<JsonNode> copy = new ArrayList<>(nodes);
    copy.sort((a, b) -> a.toString().compareTo(b.toString()));
    return copy;
  }

  private static List<String> sortedLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files.filter(f -> f.toString().endsWith(".json")).collect(Collectors.toList())) {
        lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
      }
    }
    lines.removeIf(String::isEmpty);
    lines.sort(String::compareTo);
    return lines;
  }
}
