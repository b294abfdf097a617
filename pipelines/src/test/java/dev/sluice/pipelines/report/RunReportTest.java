package dev.sluice.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipelines.churn.ChurnPipeline;
import dev.sluice.pipelines.pageviews.PageViewsPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * What a run shows besides its outputs: the pipeline graph ({@code --graph}, {@code --graphOnly}),
 * progress lines on stderr (off with {@code --quiet}), and the run report in {@code summary.json}
 * (runner, parallelism, version, counters per step).
 */
@RunWith(JUnit4.class)
public class RunReportTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @Before
  public void captureStandardStreams() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @After
  public void restoreStandardStreams() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  public void churnGraphNamesEveryStepAndNothingRuns() throws Exception {
    Path output = tmp.getRoot().toPath().resolve("churn");
    Path dot = tmp.getRoot().toPath().resolve("churn.dot");
    assertNull(
        ChurnPipeline.run(
            ChurnPipeline.parseOptions(
                "--input=testdata/churn/input",
                "--output=" + output,
                "--graph=" + dot,
                "--graphOnly")));
    String graph = Files.readString(dot);
    for (String step :
        new String[] {
          "ReadEvents", "LabelChurn", "LabelAndWriteEvents", "FinalizeFiles", "WriteDeadLetters"
        }) {
      assertThat(graph, containsString(step));
    }
    assertThat("composites are nested boxes", graph, containsString("subgraph cluster_"));
    assertFalse("--graphOnly runs nothing", Files.exists(output.resolve(RunSummary.FILE)));
  }

  @Test
  public void pageviewsGraphNamesEveryStep() throws Exception {
    Path dot = tmp.getRoot().toPath().resolve("pageviews.dot");
    assertNull(
        PageViewsPipeline.run(
            PageViewsPipeline.parseOptions(
                "--input=testdata/pageviews/input",
                "--output=" + tmp.getRoot().toPath().resolve("pv"),
                "--graph=" + dot,
                "--graphOnly")));
    String graph = Files.readString(dot);
    for (String step :
        new String[] {
          "ReadPageViews",
          "RollUpPageViews",
          "FormatAsElasticsearchJson",
          "WritePageViews",
          "WriteDeadLetters"
        }) {
      assertThat(graph, containsString(step));
    }
  }

  @Test
  public void graphAsSvgWhenGraphvizIsInstalled() throws Exception {
    assumeTrue("Graphviz dot is not installed", PipelineGraph.dotInstalled());
    Path svg = tmp.getRoot().toPath().resolve("churn.svg");
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=testdata/churn/input",
            "--output=" + tmp.getRoot().toPath().resolve("churn"),
            "--graph=" + svg,
            "--graphOnly"));
    String picture = Files.readString(svg);
    assertThat(picture, containsString("<svg"));
    assertThat(picture, containsString("LabelChurn"));
  }

  @Test
  public void aGraphFileOfAnotherKindIsAUsageError() throws Exception {
    IllegalArgumentException e =
        org.junit.Assert.assertThrows(
            IllegalArgumentException.class,
            () ->
                ChurnPipeline.run(
                    ChurnPipeline.parseOptions(
                        "--input=testdata/churn/input",
                        "--output=" + tmp.getRoot(),
                        "--graph=churn.png",
                        "--graphOnly")));
    assertEquals("--graph=churn.png: the file name must end in .dot or .svg", e.getMessage());
  }

  @Test
  public void progressLinesGoToStderrAndEndBeforeTheSummaryTable() throws Exception {
    Path output = tmp.getRoot().toPath().resolve("churn");
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=testdata/churn/input",
            "--output=" + output,
            "--progressSeconds=1",
            "--blockOnRun=false"));
    String progress = err.toString(StandardCharsets.UTF_8);
    assertThat(progress, containsString("churn: done in "));
    assertThat(progress, containsString(" 1,302 events read ("));
    assertThat(progress, containsString(", 9 dead letters"));
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("churn summary"));
    assertThat(
        "no progress on stdout",
        out.toString(StandardCharsets.UTF_8),
        not(containsString("events read (")));

    JsonNode summary = new ObjectMapper().readTree(output.resolve(RunSummary.FILE).toFile());
    assertEquals("DirectRunner", summary.path("runner").asText());
    assertThat(summary.path("parallelism").asInt(), greaterThan(0));
    assertThat(summary.path("sluice_version").asText(), containsString("."));
    JsonNode steps = summary.path("steps");
    assertTrue("per-step counters: " + steps, steps.size() > 1);
    long eventsRead = 0;
    for (JsonNode step : steps) {
      eventsRead += step.path("ReadRecords.records_read").asLong();
    }
    assertEquals(1302, eventsRead);
  }

  @Test
  public void quietPrintsOnlyTheSummaryTable() throws Exception {
    ChurnPipeline.run(
        ChurnPipeline.parseOptions(
            "--input=testdata/churn/input",
            "--output=" + tmp.getRoot().toPath().resolve("churn"),
            "--quiet",
            "--progressSeconds=1",
            "--blockOnRun=false"));
    assertThat(err.toString(StandardCharsets.UTF_8), not(containsString("events read")));
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("churn summary"));
  }

  /**
   * A page-view tree in which one customer, {@code hot.example}, has 4,000 of 5,000 views: the
   * report names it as the heaviest key of the rollup's shuffle, with its share, in {@code
   * summary.json} and in the table, and the picture labels the edges with their counts.
   */
  @Test
  public void theSkewReportNamesAPlantedHotCustomerAndTheGraphCountsEdges() throws Exception {
    Path input = tmp.getRoot().toPath().resolve("skewed");
    for (int hour = 0; hour < 4; hour++) {
      for (String customer : new String[] {"hot.example", "a.com", "b.com", "c.com", "d.com"}) {
        int views = customer.equals("hot.example") ? 1_000 : 62 + (hour == 0 ? 2 : 0);
        StringBuilder lines = new StringBuilder();
        for (int v = 0; v < views; v++) {
          lines.append(
              String.format(
                  "{\"customer\": \"%s\", \"url\": \"http://%s/%d\", \"referrer\": null,"
                      + " \"session_id\": \"s%d\", \"ts\": \"2017-09-18T%02d:%02d:00Z\"}%n",
                  customer, customer, v % 7, v % 50, hour, v % 60));
        }
        Path file =
            input.resolve(
                String.format(
                    "year=2017/month=09/day=18/hour=%02d/customer=%s/part-00000.json",
                    hour, customer));
        Files.createDirectories(file.getParent());
        Files.writeString(file, lines);
      }
    }
    Path output = tmp.getRoot().toPath().resolve("skewed-out");
    Path dot = tmp.getRoot().toPath().resolve("skewed.dot");
    PageViewsPipeline.run(
        PageViewsPipeline.parseOptions(
            "--input=" + input, "--output=" + output, "--graph=" + dot, "--quiet"));

    JsonNode summary = new ObjectMapper().readTree(output.resolve(RunSummary.FILE).toFile());
    assertEquals(5_000, summary.get("page_views").asLong());
    JsonNode shuffle = summary.get("shuffles").get(0);
    assertEquals("RollUpPageViewFiles.GroupPartials", shuffle.get("shuffle").asText());
    assertEquals("customer", shuffle.get("keyed_by").asText());
    assertEquals(5_000, shuffle.get("keyed_elements").asLong());
    assertThat(shuffle.get("elements_in").asLong(), greaterThan(0L));
    assertThat(shuffle.get("bytes_in").asLong(), greaterThan(0L));
    JsonNode heaviest = shuffle.get("heaviest_keys");
    assertEquals(5, heaviest.size());
    assertEquals("hot.example", heaviest.get(0).get("key").asText());
    assertEquals(4_000, heaviest.get(0).get("elements").asLong());
    assertEquals(0.8, heaviest.get(0).get("share").asDouble(), 1e-9);
    assertEquals(250, heaviest.get(1).get("elements").asLong());
    assertThat(
        out.toString(StandardCharsets.UTF_8),
        containsString("heaviest customer: hot.example, 4,000 of 5,000 (80.0%)"));
    assertFalse(
        "data-movement counters stay out of the steps",
        summary.get("steps").toString().contains("sluice."));

    // The picture after the run: the rollup's output edge carries the output record count.
    String graph = Files.readString(dot);
    long records = summary.get("output_records").asLong();
    assertThat(
        graph,
        containsString(
            String.format(
                "[label=\"%,d\" tooltip=\"RollUpPageViews/MergePartialRollups/ParMultiDo(MergePartialRollups).output\"]",
                records)));
    assertThat(graph, containsString("subgraph cluster_"));
  }
}
