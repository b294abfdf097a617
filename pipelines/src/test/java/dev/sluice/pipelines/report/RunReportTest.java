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
}
