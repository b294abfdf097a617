package dev.sluice.runners;

import java.nio.file.Path;
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
 * (scripts/spark-cluster.sh).
 */
@RunWith(JUnit4.class)
public class SparkClusterIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/spark-cluster.sh";

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
  }

  @Test
  public void theOneShadedJarStillRunsOnTheCluster() throws Exception {
    ClusterRuns.assertSingleJarSubmitEqualsDirectRunner(
        SCRIPT, TMP.newFolder("single").toPath().toAbsolutePath());
  }
}
