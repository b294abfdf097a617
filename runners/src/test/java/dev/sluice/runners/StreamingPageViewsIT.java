package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code pageviews --streaming=true} on a real Kafka broker, on the DirectRunner and the embedded
 * FlinkRunner: views for two hours, out-of-order views within the bound, a late view within the
 * allowed lateness and one beyond it, and bad messages. The test sends them in three phases and
 * waits, between phases, for the pane that proves the watermark has moved, so that lateness does
 * not depend on timing. It asserts the on-time and late panes' counts, the dropped view, the dead
 * letters, the output and dead-letter topics, and that the last pane of each {@code _id} equals the
 * batch {@code pageviews} over the views the stream kept.
 */
@RunWith(JUnit4.class)
public class StreamingPageViewsIT {

  private static final TemporaryFolder TMP = new TemporaryFolder();
  private static final KafkaBroker KAFKA = new KafkaBroker(Path.of("target/kafka-it"));

  @ClassRule public static final RuleChain RULES = RuleChain.outerRule(TMP).around(KAFKA);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Views of 2017-09-17 on a.com, in the order the test sends them. */
  private static final String V1 = view("/a", "s1", "10:10:00");

  private static final String V2 = view("/a", "s2", "10:20:00");

  /** 30 s behind the newest view: within the one-minute bound, so on time. */
  private static final String V3 = view("/a", "s1", "10:19:30");

  private static final String V4 = view("/b", "s3", "10:30:00", "http://bing.com/");

  /** Moves the watermark to 11:29: the 10:00 window closes (its on-time pane). */
  private static final String V5 = view("/a", "s4", "11:30:00");

  /** Late for 10:00, within the hour of allowed lateness: a late pane. */
  private static final String V6 = view("/a", "s5", "10:50:00");

  /** Moves the watermark to 12:59: the 10:00 window expires, 11:00 closes. */
  private static final String V7 = view("/c", "s6", "13:00:00");

  /** Later than the allowed lateness: dropped and counted. */
  private static final String V8 = view("/a", "s7", "10:40:00");

  @Test
  public void directRunner() throws Exception {
    scenario("direct", List.of());
  }

  @Test
  public void flinkRunner() throws Exception {
    scenario("flink", List.of("--runner=FlinkRunner"));
  }

  /**
   * A catch-up run over a finished topic: {@code produce} replays the bundled tree, the stream
   * stops when idle, and its last pane of each {@code _id} is the batch job's expected record.
   */
  @Test
  public void catchUpRunOverAReplayedTreeEndsWithTheBatchRecords() throws Exception {
    Path out = TMP.newFolder("catch-up").toPath();
    replayBundledTree("replay", 2, 0);
    sluice(
        "pageviews",
        "--streaming=true",
        "--kafkaBootstrapServers=" + KAFKA.bootstrapServers(),
        "--topic=replay",
        "--output=" + out,
        "--stopAfterIdle=5s",
        "--quiet");
    assertSameRecords(
        records(Path.of("testdata/pageviews/expected/pageviews.json")),
        lastPanes(panesById(out.resolve("pageviews"))));
    JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
    assertEquals(summary.toString(), 0, summary.get("late_views_dropped").asLong());
    assertEquals(summary.toString(), 3, summary.get("dead_letters").asLong());
  }

  /**
   * A checkpointed FlinkRunner job killed ({@code kill -9}) mid-stream while views arrive, then
   * started again from its last retained checkpoint: the final panes equal the undisturbed run's
   * (the bundled tree's batch records), so no view was lost or counted twice, and the second run
   * resumed from the checkpoint instead of reading the topic again.
   */
  @Test
  public void flinkJobKilledMidStreamResumesFromItsCheckpoint() throws Exception {
    Path out = TMP.newFolder("restart").toPath();
    Path checkpoints = TMP.newFolder("checkpoints").toPath();
    String topic = "restart";
    CompletableFuture<String> producer =
        CompletableFuture.supplyAsync(() -> replayBundledTree(topic, 2, 100));
    List<String> args =
        List.of(
            "pageviews",
            "--streaming=true",
            "--kafkaBootstrapServers=" + KAFKA.bootstrapServers(),
            "--topic=" + topic,
            "--output=" + out,
            "--stopAfterIdle=8s",
            "--runner=FlinkRunner",
            "--checkpointingInterval=1000",
            "--stateBackend=filesystem",
            "--stateBackendStoragePath=" + checkpoints.toUri(),
            "--externalizedCheckpointsEnabled=true",
            "--retainExternalizedCheckpointsOnCancellation=true");
    KAFKA.awaitTopic(topic, Duration.ofMinutes(1));
    Process first = SluiceCommand.process(args, out.resolve("first.log"));
    awaitCheckpoint(first, checkpoints, 4);
    first.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
    // Flink keeps the latest checkpoint only: take it after the kill.
    Path checkpoint = awaitCheckpoint(null, checkpoints, 4);

    List<String> again = new ArrayList<>(args);
    again.add("--savepointPath=" + checkpoint.toUri());
    Process second = SluiceCommand.process(again, out.resolve("second.log"));
    assertTrue("the restarted job did not end in 5 minutes", second.waitFor(5, TimeUnit.MINUTES));
    assertEquals(Files.readString(out.resolve("second.log")), 0, second.exitValue());
    producer.get(1, TimeUnit.MINUTES);

    assertSameRecords(
        records(Path.of("testdata/pageviews/expected/pageviews.json")),
        lastPanes(panesById(out.resolve("pageviews"))));
    JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
    assertTrue(summary.toString(), summary.get("records_read").asLong() < 3_086);
    assertTrue(summary.toString(), summary.get("replayed_messages_dropped").asLong() > 0);
  }

  /** {@code sluice produce} of the bundled tree to {@code topic}; returns what it printed. */
  private static String replayBundledTree(String topic, int partitions, int rate) {
    return sluice(
        "produce",
        "--input=testdata/pageviews/input",
        "--kafkaBootstrapServers=" + KAFKA.bootstrapServers(),
        "--topic=" + topic,
        "--partitions=" + partitions,
        "--rate=" + rate);
  }

  /** The last pane of each {@code _id}, without its pane, as JSON text. */
  static TreeSet<String> lastPanes(Map<String, List<JsonNode>> panes) {
    TreeSet<String> last = new TreeSet<>();
    for (List<JsonNode> ofId : panes.values()) {
      ObjectNode record = (ObjectNode) ofId.get(ofId.size() - 1).deepCopy();
      record.remove("pane");
      last.add(record.toString());
    }
    return last;
  }

  /** The records of the JSON-lines files under {@code path} (or of that file), as JSON text. */
  static TreeSet<String> records(Path path) throws IOException {
    TreeSet<String> records = new TreeSet<>();
    for (JsonNode record : jsonLines(path)) {
      records.add(record.toString());
    }
    return records;
  }

  /** Fails with only the records that differ when the two sets are not equal. */
  static void assertSameRecords(TreeSet<String> expected, TreeSet<String> actual) {
    TreeSet<String> missing = new TreeSet<>(expected);
    missing.removeAll(actual);
    TreeSet<String> unexpected = new TreeSet<>(actual);
    unexpected.removeAll(expected);
    assertTrue(
        "missing "
            + missing.size()
            + ": "
            + missing
            + "\nunexpected "
            + unexpected.size()
            + ": "
            + unexpected,
        missing.isEmpty() && unexpected.isEmpty());
  }

  /**
   * A stream without {@code --stopAfterIdle}, stopped with SIGTERM (what Ctrl-C's SIGINT also
   * does): before the JVM exits, every open window gets its last pane and the summary is written.
   */
  @Test
  public void terminatingARunDrainsItsOpenWindows() throws Exception {
    Path out = TMP.newFolder("drain").toPath();
    replayBundledTree("drain", 1, 0);
    Process run =
        SluiceCommand.process(
            List.of(
                "pageviews",
                "--streaming=true",
                "--kafkaBootstrapServers=" + KAFKA.bootstrapServers(),
                "--topic=drain",
                "--output=" + out),
            out.resolve("run.log"));
    // The last hour before the stream's end closes only when it drains; the one before it on time.
    awaitPane(null, out.resolve("pageviews"), "window=2017-09-18T01:00", "on_time");
    run.destroy();
    assertTrue("the run did not stop within 2 minutes", run.waitFor(2, TimeUnit.MINUTES));
    assertSameRecords(
        records(Path.of("testdata/pageviews/expected/pageviews.json")),
        lastPanes(panesById(out.resolve("pageviews"))));
    JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
    assertEquals(summary.toString(), "end of time", summary.get("final_watermark").asText());
    assertEquals(summary.toString(), 3_086, summary.get("records_read").asLong());
  }

  /**
   * Waits until the job (while it runs; null for one already stopped) has retained checkpoint
   * {@code n} or later; returns the latest one's directory.
   */
  private static Path awaitCheckpoint(Process job, Path checkpoints, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline && (job == null || job.isAlive())) {
      try (Stream<Path> dirs = Files.walk(checkpoints, 2)) {
        Path latest =
            dirs.filter(d -> d.getFileName().toString().matches("chk-[0-9]+"))
                .filter(d -> Files.exists(d.resolve("_metadata")))
                .max((x, y) -> number(x) - number(y))
                .orElse(null);
        if (latest != null && number(latest) >= n) {
          return latest;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no checkpoint " + n + " or later in " + checkpoints);
  }

  private static int number(Path checkpoint) {
    return Integer.parseInt(checkpoint.getFileName().toString().substring("chk-".length()));
  }

  private void scenario(String name, List<String> runner) throws Exception {
    String topic = "views-" + name;
    Path out = TMP.newFolder(name).toPath();
    Path pageviews = out.resolve("pageviews");
    List<String> args =
        new ArrayList<>(
            List.of(
                "pageviews",
                "--streaming=true",
                "--kafkaBootstrapServers=" + KAFKA.bootstrapServers(),
                "--topic=" + topic,
                "--outputTopic=" + topic + "-rollups",
                "--deadLetterTopic=" + topic + "-dead-letters",
                "--output=" + out,
                "--stopAfterIdle=30s",
                "--progressSeconds=2"));
    args.addAll(runner);
    KAFKA.sendText(topic, V1, V2, V3, V4);
    KAFKA.send(
        topic,
        List.of(
            "not json".getBytes(StandardCharsets.UTF_8),
            "{\"customer\": \"a.com\", \"url\": \"/a\", \"session_id\": \"s8\", \"ts\": true}"
                .getBytes(StandardCharsets.UTF_8),
            "{\"customer\": \"a.com\", \"url\": \"/a\", \"session_id\": \"s9\"}"
                .getBytes(StandardCharsets.UTF_8),
            new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));
    KAFKA.sendText(topic, V5);
    CompletableFuture<String> run =
        CompletableFuture.supplyAsync(() -> sluice(args.toArray(new String[0])));

    awaitPane(run, pageviews, "window=2017-09-17T10:00", "on_time");
    KAFKA.sendText(topic, V6);
    awaitPane(run, pageviews, "window=2017-09-17T10:00", "late");
    KAFKA.sendText(topic, V7);
    awaitPane(run, pageviews, "window=2017-09-17T11:00", "on_time");
    KAFKA.sendText(topic, V8);
    run.get(5, TimeUnit.MINUTES);

    Map<String, List<JsonNode>> panes = panesById(pageviews);
    List<JsonNode> a10 = panes.get("http://a.com/a|a.com|2017-09-17T10:00:00");
    assertEquals("panes of /a at 10:00: " + a10, 2, a10.size());
    assertPane(a10.get(0), "ON_TIME", 0, 3, 2);
    assertPane(a10.get(1), "LATE", 1, 4, 3);
    assertPane(single(panes, "http://a.com/b|a.com|2017-09-17T10:00:00"), "ON_TIME", 0, 1, 1);
    assertEquals(
        "{\"http://bing.com/\":1}",
        single(panes, "http://a.com/b|a.com|2017-09-17T10:00:00").get("referrers").toString());
    assertPane(single(panes, "http://a.com/a|a.com|2017-09-17T11:00:00"), "ON_TIME", 0, 1, 1);
    // The 13:00 window never saw its watermark pass: it closed when the stream stopped.
    assertPane(single(panes, "http://a.com/c|a.com|2017-09-17T13:00:00"), "ON_TIME", 0, 1, 1);
    assertEquals(panes.keySet().toString(), 4, panes.size());

    JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
    assertEquals(summary.toString(), 12, summary.get("records_read").asLong());
    assertEquals(summary.toString(), 8, summary.get("page_views").asLong());
    assertEquals(summary.toString(), 3, summary.get("bad_records").asLong());
    assertEquals(summary.toString(), 1, summary.get("invalid_page_views").asLong());
    assertEquals(summary.toString(), 1, summary.get("late_views_dropped").asLong());
    assertEquals(summary.toString(), 5, summary.get("output_records").asLong());

    List<JsonNode> deadLetters = jsonLines(out.resolve("dead-letter"));
    assertEquals(deadLetters.toString(), 4, deadLetters.size());
    TreeSet<String> reasons = new TreeSet<>();
    for (JsonNode deadLetter : deadLetters) {
      reasons.add(deadLetter.get("reason").asText().replaceAll(":.*", ""));
      assertTrue(
          deadLetter.toString(),
          deadLetter.get("source").asText().matches("kafka:" + topic + "-0@[0-9]+"));
    }
    assertEquals(
        "[field 'ts' must be DATETIME, got BOOLEAN, malformed JSON, not UTF-8, null ts]",
        reasons.toString());

    assertLastPanesEqualBatch(panes, out);

    Map<String, List<String>> rollups =
        KAFKA.readAll(topic + "-rollups", 5, Duration.ofSeconds(60));
    assertEquals(rollups.keySet(), panes.keySet());
    for (Map.Entry<String, List<JsonNode>> id : panes.entrySet()) {
      List<JsonNode> messages = parse(rollups.get(id.getKey()));
      assertEquals(id.getValue(), messages);
    }
    Map<String, List<String>> dead =
        KAFKA.readAll(topic + "-dead-letters", 4, Duration.ofSeconds(60));
    assertEquals(dead.toString(), 4, dead.values().stream().mapToInt(List::size).sum());
  }

  /**
   * The last pane of each {@code _id}, without its pane, equals the batch job's record for the
   * views the stream kept (all but the dropped one).
   */
  private static void assertLastPanesEqualBatch(Map<String, List<JsonNode>> panes, Path out)
      throws IOException {
    Path tree = out.resolve("batch-input/customer=a.com");
    Files.createDirectories(tree);
    Files.write(tree.resolve("part-0.json"), List.of(V1, V2, V3, V4, V5, V6, V7));
    sluice(
        "pageviews",
        "--input=" + out.resolve("batch-input"),
        "--output=" + out.resolve("batch"),
        "--quiet");
    assertSameRecords(records(out.resolve("batch/pageviews")), lastPanes(panes));
  }

  private static void assertPane(
      JsonNode record, String timing, int index, long pageViews, long visitors) {
    assertEquals(record.toString(), timing, record.get("pane").get("timing").asText());
    assertEquals(record.toString(), index, record.get("pane").get("index").asInt());
    assertEquals(record.toString(), pageViews, record.get("metrics").get("page_views").asLong());
    assertEquals(record.toString(), visitors, record.get("metrics").get("visitors").asLong());
  }

  private static JsonNode single(Map<String, List<JsonNode>> panes, String id) {
    List<JsonNode> ofId = panes.get(id);
    assertEquals(id + ": " + ofId, 1, ofId == null ? 0 : ofId.size());
    return ofId.get(0);
  }

  /** Every pane record under {@code dir}, by {@code _id}, in pane order. */
  static Map<String, List<JsonNode>> panesById(Path dir) throws IOException {
    Map<String, List<JsonNode>> byId = new TreeMap<>();
    for (JsonNode record : jsonLines(dir)) {
      byId.computeIfAbsent(record.get("_id").asText(), k -> new ArrayList<>()).add(record);
    }
    byId.values()
        .forEach(
            list ->
                list.sort(
                    (x, y) ->
                        x.get("pane").get("index").asInt() - y.get("pane").get("index").asInt()));
    return byId;
  }

  private static List<JsonNode> parse(List<String> values) {
    List<JsonNode> nodes = new ArrayList<>();
    for (String value : values) {
      try {
        nodes.add(MAPPER.readTree(value));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return nodes;
  }

  /** The JSON lines of every finished {@code .json} file under {@code dir}. */
  static List<JsonNode> jsonLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file :
          files
              .filter(f -> f.toString().endsWith(".json") && !f.toString().contains(".temp"))
              .sorted()
              .collect(Collectors.toList())) {
        lines.addAll(Files.readAllLines(file));
      }
    }
    return parse(lines);
  }

  /**
   * Waits until a pane file of {@code timing} exists in {@code window}, or the in-process run (null
   * for none) ended.
   */
  private static void awaitPane(
      CompletableFuture<String> run, Path pageviews, String window, String timing)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      Path dir = pageviews.resolve(window);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          if (files.anyMatch(f -> f.getFileName().toString().contains("-" + timing + "-"))) {
            return;
          }
        }
      }
      if (run != null && run.isDone()) {
        run.get();
        throw new AssertionError("the run ended before a " + timing + " pane of " + window);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no " + timing + " pane of " + window + " within 3 minutes");
  }

  private static String view(String path, String session, String time) {
    return view(path, session, time, null);
  }

  private static String view(String path, String session, String time, String referrer) {
    try {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("customer", "a.com");
      view.put("url", "http://a.com" + path);
      view.put("referrer", referrer);
      view.put("session_id", session);
      view.put("ts", "2017-09-17T" + time + "Z");
      return MAPPER.writeValueAsString(view);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
