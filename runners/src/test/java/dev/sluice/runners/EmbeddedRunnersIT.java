package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * Portability: {@code churn} and {@code pageviews} on the testdata, through the {@code sluice}
 * command, on the embedded SparkRunner ({@code local[*]}) and FlinkRunner, with nothing changed but
 * {@code --runner}; {@code diff} proves every output folder equals the DirectRunner's. The single
 * shaded jar, copied alone into an empty folder, runs {@code churn} with {@code java -jar}.
 */
@RunWith(JUnit4.class)
public class EmbeddedRunnersIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Path direct;

  private static final List<String> CHURN_OUTPUTS =
      List.of("labelled", "stayed", "cancelled", "dead-letter");
  private static final List<String> PAGEVIEWS_OUTPUTS = List.of("pageviews", "dead-letter");

  @BeforeClass
  public static void runOnTheDirectRunner() throws Exception {
    direct = TMP.newFolder("direct").toPath();
    runPipelines("DirectRunner", direct);
  }

  private static void runPipelines(String runner, Path out) {
    sluice(
        "churn",
        "--input=testdata/churn/input",
        "--output=" + out.resolve("churn"),
        "--runner=" + runner);
    sluice(
        "pageviews",
        "--input=testdata/pageviews/input",
        "--output=" + out.resolve("pageviews"),
        "--runner=" + runner);
  }

  private static void assertSameOutputs(Path other) {
    for (String output : CHURN_OUTPUTS) {
      sluice(
          "diff",
          "--left=" + direct.resolve("churn").resolve(output),
          "--right=" + other.resolve("churn").resolve(output));
    }
    for (String output : PAGEVIEWS_OUTPUTS) {
      sluice(
          "diff",
          "--left=" + direct.resolve("pageviews").resolve(output),
          "--right=" + other.resolve("pageviews").resolve(output));
    }
  }

  @Test
  public void sparkRunnerGivesTheDirectRunnersOutputs() throws Exception {
    Path spark = TMP.newFolder("spark").toPath();
    runPipelines("SparkRunner", spark);
    assertSameOutputs(spark);
  }

  @Test
  public void flinkRunnerGivesTheDirectRunnersOutputs() throws Exception {
    Path flink = TMP.newFolder("flink").toPath();
    runPipelines("FlinkRunner", flink);
    assertSameOutputs(flink);
  }

  @Test
  public void theShadedJarRunsAloneWithJavaJar() throws Exception {
    Path alone = TMP.newFolder("alone").toPath();
    Path jar = Files.copy(Path.of("runners/target/sluice.jar"), alone.resolve("sluice.jar"));
    Path out = alone.resolve("churn");
    Path log = alone.resolve("java-jar.log");
    Process java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@.mvn/jvm.config",
                "-jar",
                jar.toString(),
                "churn",
                "--input=testdata/churn/input",
                "--output=" + out)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!java.waitFor(5, TimeUnit.MINUTES)) {
      java.destroyForcibly().waitFor();
    }
    assertEquals(Files.readString(log), 0, java.exitValue());
    for (String output : CHURN_OUTPUTS) {
      sluice(
          "diff",
          "--left=" + direct.resolve("churn").resolve(output),
          "--right=" + out.resolve(output));
    }
  }

  @Test
  public void diffFindsADifference() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Sluice.run(
            new String[] {
              "diff",
              "--left=" + direct.resolve("churn/labelled"),
              "--right=" + direct.resolve("churn/stayed")
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Sluice.DIFFERENT, status);
  }
}
