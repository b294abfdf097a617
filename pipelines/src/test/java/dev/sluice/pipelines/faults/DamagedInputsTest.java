package dev.sluice.pipelines.faults;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipelines.churn.ChurnPipeline;
import dev.sluice.pipelines.diff.DiffPipeline;
import dev.sluice.pipelines.pageviews.PageViewsPipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Damaged files mixed with good ones, in a Hive tree for {@code pageviews} and in a churn input
 * folder: a truncated Parquet file, a text file named {@code .parquet}, a zero-byte Parquet file,
 * Parquet without {@code ts} and with {@code ts} as a string, a gzip file cut mid-stream and a
 * JSON-lines file with a line that is not UTF-8, beside a zero-byte JSON file (an empty part, as
 * Spark writes one, which holds no record and is no damage).
 *
 * <p>Each run is compared with an undisturbed run over only what could be read: the good files, the
 * good lines of the UTF-8 file and the records before the gzip cut. The outputs must be equal
 * ({@code sluice diff}), every damaged file or record must be exactly one dead letter naming its
 * file, and the summary must balance.
 */
@RunWith(JUnit4.class)
public class DamagedInputsTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern KEPT =
      Pattern.compile("unreadable file \\(after (\\d+) records\\).*");

  /** The reason of each dead letter, by file name; several letters of a file are sorted. */
  private static Map<String, List<String>> deadLetterReasons(Path output) throws IOException {
    Map<String, List<String>> reasons = new TreeMap<>();
    for (String line : lines(output.resolve("dead-letter"))) {
      JsonNode letter = MAPPER.readTree(line);
      String file = Paths.get(letter.get("source").asText()).getFileName().toString();
      reasons.computeIfAbsent(file, f -> new ArrayList<>()).add(letter.get("reason").asText());
    }
    reasons.values().forEach(list -> list.sort(String::compareTo));
    return reasons;
  }

  private static List<String> deadLetterPayloads(Path output, String file) throws IOException {
    List<String> payloads = new ArrayList<>();
    for (String line : lines(output.resolve("dead-letter"))) {
      JsonNode letter = MAPPER.readTree(line);
      if (letter.get("source").asText().endsWith("/" + file)) {
        payloads.add(letter.get("payload").asText());
      }
    }
    return payloads;
  }

  private static List<String> lines(Path folder) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        if (!file.getFileName().toString().startsWith(".")) {
          lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
      }
    }
    return lines;
  }

  /** The records a gzip file cut mid-stream kept, from its dead letter's reason. */
  private static int kept(List<String> reasons) {
    Matcher matcher = KEPT.matcher(reasons.get(0));
    assertTrue(reasons.toString(), matcher.matches());
    return Integer.parseInt(matcher.group(1));
  }

  private static void assertSameRecords(Path left, Path right) throws IOException {
    assertTrue(
        left + " differs from " + right,
        DiffPipeline.run(DiffPipeline.parseOptions("--left=" + left, "--right=" + right)));
  }

  private static JsonNode summary(Path output) throws IOException {
    return MAPPER.readTree(output.resolve("summary.json").toFile());
  }

  private static long count(JsonNode summary, String key) {
    assertTrue(summary + " has no " + key, summary.has(key));
    return summary.get(key).asLong();
  }

  private static String unreadable(String reason) {
    return "unreadable file (after 0 records): " + reason;
  }

  private static String base64(byte[] bytes) {
    return "base64:" + Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Checks the dead letters of a run over the folder {@code damaged}: one for each damaged file,
   * naming it, with its reason ({@code tsType} is what {@code ts} is read as); {@code noTs}, those
   * of the records of the Parquet file without {@code ts}; and the line that is not UTF-8 with its
   * bytes. The dead letters of {@code good.json} are not this test's subject.
   *
   * @return the records kept from the gzip file of {@code cutRecords} records cut mid-stream
   */
  private static int assertOneDeadLetterPerDamagedFile(
      Path output, Path damaged, String tsType, List<String> noTs, int cutRecords)
      throws IOException {
    Map<String, List<String>> reasons = deadLetterReasons(output);
    reasons.remove("good.json");
    int kept = kept(reasons.get("cut.json.gz"));
    assertTrue("kept " + kept, kept > 0 && kept < cutRecords);
    List<String> truncated = reasons.remove("truncated.parquet");
    assertEquals(String.valueOf(truncated), 1, truncated.size());
    assertTrue(
        truncated.get(0),
        truncated
            .get(0)
            .startsWith(
                unreadable(damaged.resolve("truncated.parquet") + " is not a Parquet file")));
    assertEquals(
        Map.of(
            "cut.json.gz", List.of("unreadable file (after " + kept + " records): EOFException"),
            "empty.parquet",
                List.of(
                    unreadable(
                        damaged.resolve("empty.parquet")
                            + " is not a Parquet file (length is too low: 0)")),
            "no-ts.parquet", noTs,
            "text.parquet",
                List.of(
                    unreadable(
                        damaged.resolve("text.parquet")
                            + " is not a Parquet file. Expected magic number at tail, but found"
                            + " [117, 101, 116, 10]")),
            "ts-string.parquet",
                List.of(
                    unreadable(
                        "column ts has Parquet type optional binary ts (STRING), which cannot be"
                            + " read as "
                            + tsType)),
            "utf8.json", List.of("not UTF-8")),
        reasons);
    assertEquals(
        List.of(base64(DamagedFiles.INVALID_UTF8_LINE)), deadLetterPayloads(output, "utf8.json"));
    return kept;
  }

  @Test
  public void pageviewsDeadLettersEachDamagedFileAndRollsUpEveryGoodOne() throws Exception {
    Path good =
        Paths.get(
            "testdata/pageviews/input/year=2017/month=09/day=17/hour=17/customer=a.com/"
                + "part-00000.parquet");
    List<String> views =
        IntStream.range(0, 3000)
            .mapToObj(
                i ->
                    String.format(
                        "{\"url\":\"http://a.com/%d\",\"referrer\":\"r%d\",\"session_id\":\"s%d\","
                            + "\"ts\":\"2017-09-17T17:%02d:00Z\"}",
                        i % 7, i % 3, i % 11, i % 60))
            .collect(Collectors.toList());

    Path damagedRoot = TMP.newFolder("pageviews-damaged").toPath();
    Path damaged =
        Files.createDirectories(
            damagedRoot.resolve("year=2017/month=09/day=17/hour=17/customer=a.com"));
    Files.copy(good, damaged.resolve("good.parquet"));
    Files.write(damaged.resolve("good.json"), views.subList(0, 10));
    DamagedFiles.cutInHalf(good, damaged.resolve("truncated.parquet"));
    DamagedFiles.textNamedParquet(damaged.resolve("text.parquet"));
    DamagedFiles.zeroBytes(damaged.resolve("empty.parquet"));
    DamagedFiles.zeroBytes(damaged.resolve("empty.json"));
    DamagedFiles.parquet(
        "message m { optional binary url (STRING); optional binary session_id (STRING); }",
        List.of(Map.of("url", "u1", "session_id", "s1"), Map.of("url", "u2", "session_id", "s2")),
        damaged.resolve("no-ts.parquet"));
    DamagedFiles.parquet(
        "message m { optional binary url (STRING); optional binary session_id (STRING);"
            + " optional binary ts (STRING); }",
        List.of(Map.of("url", "u1", "session_id", "s1", "ts", "2017-09-17T17:06:00Z")),
        damaged.resolve("ts-string.parquet"));
    DamagedFiles.gzipCutMidStream(views, damaged.resolve("cut.json.gz"));
    DamagedFiles.withInvalidUtf8(views.subList(10, 13), damaged.resolve("utf8.json"));
    Path damagedOut = TMP.newFolder("pageviews-damaged-out").toPath();
    PageViewsPipeline.run(
        PageViewsPipeline.parseOptions("--input=" + damagedRoot, "--output=" + damagedOut));

    int kept =
        assertOneDeadLetterPerDamagedFile(
            damagedOut, damaged, "DATETIME", List.of("null ts", "null ts"), views.size());

    // What could be read, undisturbed.
    Path cleanRoot = TMP.newFolder("pageviews-clean").toPath();
    Path clean =
        Files.createDirectories(
            cleanRoot.resolve("year=2017/month=09/day=17/hour=17/customer=a.com"));
    Files.copy(good, clean.resolve("good.parquet"));
    Files.write(clean.resolve("good.json"), views.subList(0, 10));
    Files.write(clean.resolve("cut.json"), views.subList(0, kept));
    Files.write(clean.resolve("utf8.json"), views.subList(10, 13));
    Path cleanOut = TMP.newFolder("pageviews-clean-out").toPath();
    PageViewsPipeline.run(
        PageViewsPipeline.parseOptions("--input=" + cleanRoot, "--output=" + cleanOut));
    assertSameRecords(cleanOut.resolve("pageviews"), damagedOut.resolve("pageviews"));

    JsonNode summary = summary(damagedOut);
    JsonNode cleanSummary = summary(cleanOut);
    assertEquals(summary.toString(), 5, count(summary, "unreadable_files"));
    assertEquals(summary.toString(), 10, count(summary, "files_read"));
    assertEquals(summary.toString(), "committed", summary.get("metrics").asText());
    assertEquals(
        summary.toString(), count(cleanSummary, "page_views"), count(summary, "page_views"));
    assertEquals(
        summary.toString(),
        count(summary, "events_read"),
        count(summary, "page_views")
            + count(summary, "invalid_page_views")
            + count(summary, "bad_records"));
    assertEquals(
        summary.toString(),
        count(summary, "dead_letters"),
        count(summary, "unreadable_files")
            + count(summary, "invalid_page_views")
            + count(summary, "bad_records"));
    assertEquals(summary.toString(), 8, count(summary, "dead_letters"));
  }

  @Test
  public void churnDeadLettersEachDamagedFileAndLabelsEveryGoodOne() throws Exception {
    Path slice = Paths.get("testdata/churn/input/sparkify-2018-11-slice.json");
    List<String> events = Files.readAllLines(slice, StandardCharsets.UTF_8);
    String sparkify =
        "message spark_schema { optional binary page (STRING); optional binary userId (STRING);"
            + " optional int64 ts; optional binary auth (STRING); optional int64 sessionId; }";
    List<Map<String, Object>> goodRows =
        List.of(
            Map.of("page", "Home", "userId", "900", "ts", 1541129561796L, "auth", "Logged In"),
            Map.of(
                "page",
                "Cancellation Confirmation",
                "userId",
                "900",
                "ts",
                1541129571796L,
                "auth",
                "Cancelled"),
            Map.of("page", "NextSong", "userId", "901", "ts", 1541129581796L, "auth", "Logged In"));

    Path damaged = TMP.newFolder("churn-damaged").toPath();
    Files.copy(slice, damaged.resolve("good.json"));
    Path goodParquet = DamagedFiles.parquet(sparkify, goodRows, damaged.resolve("good.parquet"));
    DamagedFiles.cutInHalf(goodParquet, damaged.resolve("truncated.parquet"));
    DamagedFiles.textNamedParquet(damaged.resolve("text.parquet"));
    DamagedFiles.zeroBytes(damaged.resolve("empty.parquet"));
    DamagedFiles.zeroBytes(damaged.resolve("empty.json"));
    DamagedFiles.parquet(
        "message m { optional binary page (STRING); optional binary userId (STRING); }",
        List.of(Map.of("page", "Home", "userId", "902")),
        damaged.resolve("no-ts.parquet"));
    DamagedFiles.parquet(
        "message m { optional binary page (STRING); optional binary userId (STRING);"
            + " optional binary ts (STRING); }",
        List.of(Map.of("page", "Home", "userId", "902", "ts", "1541129561796")),
        damaged.resolve("ts-string.parquet"));
    List<String> zipped =
        IntStream.range(0, 2000)
            .mapToObj(i -> events.get(i % events.size()))
            .collect(Collectors.toList());
    DamagedFiles.gzipCutMidStream(zipped, damaged.resolve("cut.json.gz"));
    DamagedFiles.withInvalidUtf8(events.subList(0, 3), damaged.resolve("utf8.json"));
    Path damagedOut = TMP.newFolder("churn-damaged-out").toPath();
    ChurnPipeline.run(ChurnPipeline.parseOptions("--input=" + damaged, "--output=" + damagedOut));

    int kept =
        assertOneDeadLetterPerDamagedFile(
            damagedOut, damaged, "INT64", List.of("missing field 'ts'"), zipped.size());

    Path clean = TMP.newFolder("churn-clean").toPath();
    Files.copy(slice, clean.resolve("good.json"));
    DamagedFiles.parquet(sparkify, goodRows, clean.resolve("good.parquet"));
    Files.write(clean.resolve("cut.json"), zipped.subList(0, kept));
    Files.write(clean.resolve("utf8.json"), events.subList(0, 3));
    Path cleanOut = TMP.newFolder("churn-clean-out").toPath();
    ChurnPipeline.run(ChurnPipeline.parseOptions("--input=" + clean, "--output=" + cleanOut));
    for (String output : List.of("labelled", "stayed", "cancelled")) {
      assertSameRecords(cleanOut.resolve(output), damagedOut.resolve(output));
    }

    JsonNode summary = summary(damagedOut);
    JsonNode cleanSummary = summary(cleanOut);
    assertEquals(summary.toString(), 5, count(summary, "unreadable_files"));
    assertEquals(
        summary.toString(),
        count(cleanSummary, "labelled_events"),
        count(summary, "labelled_events"));
    assertEquals(
        summary.toString(),
        count(summary, "events_read"),
        count(summary, "labelled_events")
            + count(summary, "guest_events_skipped")
            + count(summary, "bad_events"));
    assertEquals(
        summary.toString(),
        count(summary, "dead_letters"),
        count(summary, "bad_events") + count(summary, "unreadable_files"));
    // Against the undisturbed run: two more bad records (no ts, not UTF-8), five unreadable files.
    assertEquals(
        summary.toString(),
        count(cleanSummary, "dead_letters") + 2 + 5,
        count(summary, "dead_letters"));
  }
}
