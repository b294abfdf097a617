package dev.sluice.runners;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * A real Spark standalone cluster on 127.0.0.1 (master and one worker from Maven Central jars),
 * {@code spark-submit} of the code jar with the staged dependency jar (and once of the single
 * shaded jar): both pipelines, and {@code diff} against the DirectRunner for every output
 * (scripts/spark-cluster.sh). The executors' logs show that the dependency jar was read from the
 * node's cache folder, not sent by the driver.
 */
@RunWith(JUnit4.class)
public class SparkClusterIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/spark-cluster.sh";

  /** The worker's folder of application folders (SPARK_HOME/run/work, see the script). */
  private static final Path WORK =
      Path.of(System.getenv().getOrDefault("SPARK_HOME", "target/spark-home"), "run", "work");

  @BeforeClass
  public static void startCluster() throws Exception {
    ClusterRuns.start(SCRIPT, TMP.getRoot().toPath());
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    ClusterRuns.stop(SCRIPT, TMP.getRoot().toPath());
  }

  @Test
  public void bothPipelinesOnTheClusterEqualTheDirectRunner() throws Exception {
    Path out = TMP.newFolder("out").toPath().toAbsolutePath();
    ClusterRuns.assertClusterEqualsDirectRunner(SCRIPT, out);
    // Each submit's executor read the dependency jar from the cache folder on its own node and
    // fetched only the code jar from the driver.
    String cached = "Fetching file:" + out.resolve("deps-cache") + "/sluice-deps-";
    List<String> executorLogs = executorLogsMentioning(cached);
    assertEquals(String.join("\n", executorLogs), 2, executorLogs.size());
    for (String log : executorLogs) {
      assertFalse(log, log.matches("(?s).*Fetching spark://[^ ]*/jars/sluice-deps-.*"));
    }
  }

  /**
   * The executor logs ({@code app-*}{@code /N/stderr}) under {@link #WORK} containing {@code text}.
   */
  private static List<String> executorLogsMentioning(String text) throws IOException {
    try (Stream<Path> files = Files.walk(WORK, 3)) {
      List<String> logs =
          files
              .filter(file -> file.getFileName().toString().equals("stderr"))
              .map(
                  file -> {
                    try {
                      return Files.readString(file);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  })
              .filter(log -> log.contains(text))
              .collect(Collectors.toList());
      return logs;
    }
  }

  @Test
  public void theOneShadedJarStillRunsOnTheCluster() throws Exception {
    ClusterRuns.assertSingleJarSubmitEqualsDirectRunner(
        SCRIPT, TMP.newFolder("single").toPath().toAbsolutePath());
  }
}
