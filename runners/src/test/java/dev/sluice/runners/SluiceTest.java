package dev.sluice.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** The command line: help, subcommand options, and one-line usage errors. */
@RunWith(JUnit4.class)
public class SluiceTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return Sluice.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  public void helpListsTheSubcommands() {
    assertEquals(Sluice.OK, run("--help"));
    assertThat(out(), containsString("churn "));
    assertThat(out(), containsString("Label a Sparkify-format event log"));
    assertThat(out(), containsString("pageviews "));
    assertThat(out(), containsString("generate-pageviews "));
    assertThat(out(), containsString("convert "));
    assertThat(out(), containsString("rollup "));
  }

  @Test
  public void rollupHelpListsItsWindowAndPageviewsItsVisitorsCount() {
    assertEquals(Sluice.OK, run("rollup", "--help"));
    assertThat(out(), containsString("--window"));
    assertThat(out(), containsString("ISO weeks"));
    assertEquals(Sluice.OK, run("pageviews", "--help"));
    assertThat(out(), containsString("--visitors"));
    assertThat(out(), containsString("--hllLgK"));
  }

  @Test
  public void noArgumentsIsAUsageError() {
    assertEquals(Sluice.USAGE, run());
    assertThat(err(), containsString("Usage: sluice SUBCOMMAND"));
  }

  @Test
  public void churnHelpListsEveryOptionWithItsDescription() {
    assertEquals(Sluice.OK, run("churn", "--help"));
    for (String option :
        new String[] {"--input", "--output", "--format", "--churnPages", "--runner"}) {
      assertThat(out(), containsString(option));
    }
    assertThat(out(), containsString("Sparkify-format event log to read"));
    assertThat(out(), containsString("Default: json"));
  }

  @Test
  public void helpListsTheS3Options() {
    assertEquals(Sluice.OK, run("churn", "--help"));
    for (String option :
        new String[] {
          "--endpoint",
          "--awsRegion",
          "--awsCredentialsProvider",
          "--s3PathStyleAccess",
          "--s3UploadBufferSizeBytes"
        }) {
      assertThat(out(), containsString(option));
    }
  }

  @Test
  public void aMalformedCredentialsOptionDoesNotEchoTheSecret() {
    assertEquals(
        Sluice.USAGE,
        run(
            "churn",
            "--input=s3://bucket/events",
            "--output=o",
            "--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\","
                + "\"accessKeyId\":\"id\",\"secretAccessKey\":\"s3cr3t+/=\""));
    assertThat(err(), containsString("secretAccessKey\":\"****"));
    assertThat(err(), not(containsString("s3cr3t")));
  }

  @Test
  public void pageviewsHelpListsItsOptions() {
    assertEquals(Sluice.OK, run("pageviews", "--help"));
    for (String option :
        new String[] {
          "--input",
          "--output",
          "--from",
          "--to",
          "--window",
          "--index",
          "--format",
          "--streaming",
          "--kafkaBootstrapServers",
          "--topic",
          "--maxOutOfOrderness",
          "--allowedLateness",
          "--earlyFiringsEvery",
          "--stopAfterIdle",
          "--outputTopic",
          "--deadLetterTopic"
        }) {
      assertThat(out(), containsString(option));
    }
    assertThat(out(), containsString("Default: 1h"));
  }

  @Test
  public void pageviewsUsageErrorsAreOneLine() {
    assertEquals(
        Sluice.USAGE,
        run("pageviews", "--input=testdata/pageviews/input", "--output=o", "--window=7m"));
    assertEquals(
        "sluice pageviews: window size must be positive and divide a day (e.g. 15m, 1h, "
            + "1d), got PT420S\n",
        err());
  }

  /** {@code pageviews --streaming=true} on an unused port, with {@code more} options. */
  private int stream(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "pageviews",
                "--streaming=true",
                "--kafkaBootstrapServers=127.0.0.1:1",
                "--topic=t",
                "--output=o"));
    args.addAll(Arrays.asList(more));
    return run(args.toArray(new String[0]));
  }

  @Test
  public void streamingUsageErrorsAreOneLine() {
    assertEquals(Sluice.USAGE, run("pageviews", "--streaming=true", "--output=o"));
    assertEquals(
        "sluice pageviews: --streaming=true reads from Kafka: give "
            + "--kafkaBootstrapServers=HOST:PORT and --topic\n",
        err());
    assertEquals(Sluice.USAGE, run("pageviews", "--output=o"));
    assertThat(err(), containsString("missing required option --input"));
    assertEquals(Sluice.USAGE, stream("--runner=SparkRunner"));
    assertThat(err(), containsString("runs on the DirectRunner and the FlinkRunner"));
    assertEquals(1, err().lines().count());
    assertEquals(Sluice.USAGE, stream("--earlyFiringsEvery=soon"));
    assertThat(err(), containsString("cannot read duration 'soon'"));
  }

  @Test
  public void pageviewsOnAnEmptyTreeIsOneLine() {
    assertEquals(Sluice.USAGE, run("pageviews", "--input=runners/src", "--output=o"));
    assertThat(err(), containsString("sluice pageviews: no data file"));
    assertEquals(1, err().lines().count());
  }

  @Test
  public void unknownSubcommandIsOneLine() {
    assertEquals(Sluice.USAGE, run("churns"));
    assertEquals("sluice: unknown subcommand 'churns'; run 'sluice --help' to list them\n", err());
  }

  @Test
  public void unknownOptionIsOneLine() {
    assertEquals(
        Sluice.USAGE, run("churn", "--inptu=x", "--input=testdata/churn/input", "--output=o"));
    assertEquals(
        "sluice churn: unknown option --inptu; run 'sluice churn --help' to list the options\n",
        err());
  }

  @Test
  public void missingRequiredOptionIsOneLine() {
    assertEquals(Sluice.USAGE, run("churn", "--output=o"));
    assertEquals(
        "sluice churn: missing required option --input; run 'sluice churn --help' to list the "
            + "options\n",
        err());
  }

  @Test
  public void missingInputIsOneLine() {
    assertEquals(Sluice.USAGE, run("churn", "--input=does/not/exist.json", "--output=o"));
    assertEquals("sluice churn: no input file matches --input=does/not/exist.json\n", err());
  }

  @Test
  public void badFormatIsOneLine() {
    assertEquals(
        Sluice.USAGE, run("churn", "--input=testdata/churn/input", "--output=o", "--format=csv"));
    assertEquals("sluice churn: unknown format 'csv': expected json, json.gz or parquet\n", err());
  }

  @Test
  public void directRunnerChecksAreOffUnlessAsked() throws Exception {
    assertArrayEquals(
        new String[] {
          "--input=x",
          "--enforceImmutability=false",
          "--enforceEncodability=false",
          "--blockOnRun=false"
        },
        RunnerDefaults.apply(new String[] {"--input=x"}));
    assertArrayEquals(
        new String[] {
          "--enforceImmutability=true", "--blockOnRun=true", "--enforceEncodability=false"
        },
        RunnerDefaults.apply(new String[] {"--enforceImmutability=true", "--blockOnRun=true"}));
    assertArrayEquals(
        new String[] {
          "--runner=SparkRunner", "--sparkMaster=local[*]", "--storageLevel=MEMORY_AND_DISK"
        },
        RunnerDefaults.apply(new String[] {"--runner=SparkRunner"}));
    assertArrayEquals(
        new String[] {
          "--runner=SparkRunner",
          "--sparkMaster=spark://127.0.0.1:7077",
          "--storageLevel=MEMORY_AND_DISK"
        },
        RunnerDefaults.apply(
            new String[] {"--runner=SparkRunner", "--sparkMaster=spark://127.0.0.1:7077"}));
  }

  @Test
  public void underSparkSubmitTheMasterAndJarsAreSparkSubmits() throws Exception {
    // spark-submit sets spark.master as a system property of the driver it starts.
    String before = System.getProperty("spark.master");
    System.setProperty("spark.master", "spark://127.0.0.1:7077");
    try {
      assertArrayEquals(
          new String[] {"--runner=SparkRunner", "--storageLevel=MEMORY_AND_DISK"},
          RunnerDefaults.apply(new String[] {"--runner=SparkRunner"}));
    } finally {
      if (before == null) {
        System.clearProperty("spark.master");
      } else {
        System.setProperty("spark.master", before);
      }
    }
  }

  @Test
  public void flinkCopiesStateWhenTheJobTakesCheckpoints() throws Exception {
    List<String> plain =
        Arrays.asList(
            RunnerDefaults.apply(new String[] {"--runner=FlinkRunner", "--flinkMaster=x"}));
    assertTrue(plain.toString(), plain.contains("--fasterCopy=true"));
    for (String[] checkpointed :
        new String[][] {
          {"--runner=FlinkRunner", "--flinkMaster=x", "--checkpointingInterval=1000"},
          {"--runner=FlinkRunner", "--flinkMaster=x", "--savepointPath=file:///tmp/chk-4"}
        }) {
      List<String> args = Arrays.asList(RunnerDefaults.apply(checkpointed));
      assertFalse(args.toString(), args.stream().anyMatch(a -> a.startsWith("--fasterCopy")));
      assertTrue(args.toString(), args.contains("--finishBundleBeforeCheckpointing=true"));
    }
    List<String> off =
        Arrays.asList(
            RunnerDefaults.apply(
                new String[] {
                  "--runner=FlinkRunner", "--flinkMaster=x", "--checkpointingInterval=-1"
                }));
    assertTrue(off.toString(), off.contains("--fasterCopy=true"));
  }
}
