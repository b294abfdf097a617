package dev.sluice.pipelines.churn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Runs the {@code churn} pipeline on {@code testdata/churn/input} once as JSON and once as Parquet,
 * and checks every output folder and the summary against {@code testdata/churn/expected} (computed
 * independently in Python), against a plain-Java reference computation, and Parquet against JSON.
 */
@RunWith(JUnit4.class)
public class ChurnPipelineTest {

  private static final Path TESTDATA = Paths.get("testdata", "churn");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Path jsonOut;
  private static Path parquetOut;
  private static Path fromParquetOut;

  @BeforeClass
  public static void runPipelineAsJsonAndParquet() throws Exception {
    jsonOut = TMP.newFolder("json").toPath();
    parquetOut = TMP.newFolder("parquet").toPath();
    ChurnPipeline.run(
        ChurnPipeline.parseOptions("--input=" + TESTDATA.resolve("input"), "--output=" + jsonOut));
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=" + TESTDATA.resolve("input"), "--output=" + parquetOut, "--format=parquet"));
    fromParquetOut = TMP.newFolder("from-parquet").toPath();
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=" + parquetOut.resolve("labelled"), "--output=" + fromParquetOut));
  }

  /**
   * A gzip file cut mid-stream (an interrupted upload) beside the good files: the run completes,
   * the file becomes one dead letter that names it and says how many records were kept, the records
   * before the cut are labelled, and every event is still accounted for.
   */
  @Test
  public void aGzipFileCutMidStreamIsOneDeadLetterAndTheRunCompletes() throws Exception {
    Path input = TMP.newFolder("cut-input").toPath();
    for (String name : new String[] {"sparkify-2018-11-slice.json", "malformed.json"}) {
      Files.copy(TESTDATA.resolve("input").resolve(name), input.resolve(name));
    }
    byte[] whole;
    try (InputStream in = Files.newInputStream(TESTDATA.resolve("input/eventsim-slice.json.gz"))) {
      whole = in.readAllBytes();
    }
    Files.write(input.resolve("cut.json.gz"), Arrays.copyOf(whole, whole.length / 2));
    Path out = TMP.newFolder("cut-output").toPath();
    ChurnPipeline.run(ChurnPipeline.parseOptions("--input=" + input, "--output=" + out));

    JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
    assertEquals(summary.toString(), 1, summary.get("unreadable_files").asLong());
    // The unreadable file is a dead letter of its own, beside the events read.
    assertEquals(
        summary.toString(),
        summary.get("events_read").asLong(),
        summary.get("labelled_events").asLong()
            + summary.get("guest_events_skipped").asLong()
            + summary.get("bad_events").asLong());
    assertEquals(
        summary.toString(),
        summary.get("bad_events").asLong() + 1,
        summary.get("dead_letters").asLong());
    List<String> cut = new ArrayList<>();
    try (Stream<Path> files = Files.list(out.resolve("dead-letter"))) {
      for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        for (String line : Files.readAllLines(file)) {
          if (line.contains("cut.json.gz")) {
            cut.add(line);
          }
        }
      }
    }
    assertEquals(cut.toString(), 1, cut.size());
    JsonNode deadLetter = MAPPER.readTree(cut.get(0));
    assertTrue(
        deadLetter.toString(),
        deadLetter
            .get("reason")
            .asText()
            .matches("unreadable file \\(after [1-9][0-9]* records\\).*"));
    long kept = Long.parseLong(deadLetter.get("reason").asText().replaceAll("\\D*(\\d+).*", "$1"));
    // Read: the good files' events, and the records before the cut.
    long eventsimRecords;
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(new ByteArrayInputStream(whole)), StandardCharsets.UTF_8))) {
      eventsimRecords = lines.lines().filter(line -> !line.isBlank()).count();
    }
    JsonNode all = MAPPER.readTree(jsonOut.resolve("summary.json").toFile());
    assertTrue(summary.toString(), kept > 0 && kept < eventsimRecords);
    assertEquals(
        summary.toString(),
        all.get("events_read").asLong() - eventsimRecords + kept,
        summary.get("events_read").asLong());
  }

  /**
   * Churn reads Parquet as well as JSON lines: its own {@code --format=parquet} output (every
   * Sparkify column, then churn and label, which are not read) gives the same labelled, stayed and
   * cancelled events as the JSON input it came from, and no dead letter.
   */
  @Test
  public void parquetInputGivesTheSameOutputsAsJson() throws IOException {
    for (String output : List.of("labelled", "stayed", "cancelled")) {
      assertEquals(
          output,
          readJsonDir(jsonOut.resolve(output), ".json"),
          readJsonDir(fromParquetOut.resolve(output), ".json"));
    }
    Path deadLetters = fromParquetOut.resolve("dead-letter");
    assertTrue(
        "no dead letter",
        !Files.exists(deadLetters) || readJsonDir(deadLetters, ".json").isEmpty());
    JsonNode summary = MAPPER.readTree(fromParquetOut.resolve("summary.json").toFile());
    assertEquals(1143, summary.get("events_read").asLong());
    assertEquals(0, summary.get("dead_letters").asLong());
  }

  @Test
  public void labelledStayedAndCancelledEqualTheExpectedFiles() throws IOException {
    for (String output : List.of("labelled", "stayed", "cancelled")) {
      assertEquals(
          output,
          readJsonLines(TESTDATA.resolve("expected").resolve(output + ".json")),
          readJsonDir(jsonOut.resolve(output), ".json"));
    }
  }

  @Test
  public void deadLettersKeepLineSourceStepAndReason() throws IOException {
    List<JsonNode> expected = readJsonLines(TESTDATA.resolve("expected/dead-letter.json"));
    List<JsonNode> actual = readJsonDir(jsonOut.resolve("dead-letter"), ".json");
    assertEquals(expected.size(), actual.size());
    Map<String, JsonNode> byPayload = new HashMap<>();
    for (JsonNode letter : actual) {
      byPayload.put(letter.get("payload").asText(), letter);
    }
    for (JsonNode want : expected) {
      JsonNode got = byPayload.get(want.get("payload").asText());
      assertTrue("no dead letter for " + want, got != null);
      assertEquals(want.get("step"), got.get("step"));
      assertTrue(
          got.get("reason") + " should start with " + want.get("reason"),
          got.get("reason").asText().startsWith(want.get("reason").asText()));
      assertTrue(got.get("source").asText().endsWith("/" + want.get("source").asText()));
    }
  }

  @Test
  public void summaryHasTheExpectedCountsAndAddsUp() throws IOException {
    JsonNode expected = MAPPER.readTree(TESTDATA.resolve("expected/summary.json").toFile());
    for (Path out : List.of(jsonOut, parquetOut)) {
      JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
      expected
          .fieldNames()
          .forEachRemaining(name -> assertEquals(name, expected.get(name), summary.get(name)));
      assertEquals("churn", summary.get("pipeline").asText());
      assertTrue(summary.get("wall_time_seconds").asDouble() > 0);
      assertEquals(
          summary.get("events_read").asLong(),
          summary.get("labelled_events").asLong()
              + summary.get("guest_events_skipped").asLong()
              + summary.get("dead_letters").asLong());
    }
  }

  /**
   * A plain reference: group the valid input events by user in memory, mark users with a
   * cancellation, and compare (userId, ts, page, churn, label) of every labelled event.
   */
  @Test
  public void labelsMatchAPlainReferenceComputation() throws IOException {
    List<JsonNode> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(TESTDATA.resolve("input"))) {
      for (Path file : files.sorted().collect(Collectors.toList())) {
        for (String line : readLines(file)) {
          JsonNode event = tryParse(line);
          if (event != null && isSparkifyEvent(event) && !event.get("userId").asText().isEmpty()) {
            events.add(event);
          }
        }
      }
    }
    Set<String> churned = new HashSet<>();
    for (JsonNode e : events) {
      if (e.get("page").asText().equals("Cancellation Confirmation")) {
        churned.add(e.get("userId").asText());
      }
    }
    Map<String, Long> expected = new HashMap<>();
    for (JsonNode e : events) {
      String user = e.get("userId").asText();
      boolean churn = e.get("page").asText().equals("Cancellation Confirmation");
      expected.merge(
          key(
              user,
              e.get("ts").asLong(),
              e.get("page").asText(),
              churn,
              churned.contains(user) ? 1 : 0),
          1L,
          Long::sum);
    }
    Map<String, Long> actual = new HashMap<>();
    for (JsonNode e : readJsonDir(jsonOut.resolve("labelled"), ".json")) {
      actual.merge(
          key(
              e.get("userId").asText(),
              e.get("ts").asLong(),
              e.get("page").asText(),
              e.get("churn").asBoolean(),
              e.get("label").asInt()),
          1L,
          Long::sum);
    }
    assertFalse(churned.isEmpty());
    assertEquals(expected, actual);
  }

  @Test
  public void parquetOutputReadWithParquetIoEqualsJsonOutput() throws IOException {
    for (String output : List.of("labelled", "stayed", "cancelled", "dead-letter")) {
      List<JsonNode> json = readJsonDir(jsonOut.resolve(output), ".json");
      PCollection<String> parquet =
          p.apply(
              "Read" + output,
              ParquetIO.parseGenericRecords(Object::toString)
                  .withCoder(StringUtf8Coder.of())
                  .from(parquetOut.resolve(output) + "/*.parquet"));
      PAssert.that("parquet " + output, parquet)
          .satisfies(
              records -> {
                List<JsonNode> nodes = new ArrayList<>();
                for (String record : records) {
                  nodes.add(parse(record));
                }
                assertEquals(output, sorted(json), sorted(nodes));
                return null;
              });
    }
    p.run().waitUntilFinish();
  }

  private static String key(String user, long ts, String page, boolean churn, int label) {
    return user + "|" + ts + "|" + page + "|" + churn + "|" + label;
  }

  /** The Sparkify field types, checked the simple way: a row that breaks them is not an event. */
  private static boolean isSparkifyEvent(JsonNode e) {
    if (!e.isObject()
        || !e.path("userId").isTextual()
        || !e.path("page").isTextual()
        || !e.path("ts").isIntegralNumber()) {
      return false;
    }
    for (String integral : List.of("sessionId", "itemInSession", "status")) {
      if (e.has(integral) && !e.get(integral).isNull() && !e.get(integral).isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode tryParse(String line) {
    try {
      return MAPPER.readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
  }

  private static List<String> readLines(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }
  }

  private static List<JsonNode> readJsonLines(Path file) throws IOException {
    return sorted(
        readLines(file).stream().map(ChurnPipelineTest::parse).collect(Collectors.toList()));
  }

  private static List<JsonNode> readJsonDir(Path dir, String suffix) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files.filter(f -> f.toString().endsWith(suffix)).collect(Collectors.toList())) {
        nodes.addAll(readJsonLines(file));
      }
    }
    return sorted(nodes);
  }

  /** Sorts JSON values by their canonical text (keys sorted), for order-insensitive comparison. */
  private static List<JsonNode> sorted(List<JsonNode> nodes) {
    List<JsonNode> copy = new ArrayList<>(nodes);
    copy.sort((a, b) -> canonical(a).compareTo(canonical(b)));
    return copy;
  }

  private static String canonical(JsonNode node) {
    if (!node.isObject()) {
      return node.toString();
    }
    ObjectNode sortedNode = MAPPER.createObjectNode();
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    names.sort(String::compareTo);
    for (String name : names) {
      sortedNode.set(name, node.get(name));
    }
    return sortedNode.toString();
  }
}
