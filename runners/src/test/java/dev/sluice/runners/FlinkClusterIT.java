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
 * A real Flink session cluster on 127.0.0.1 (JobManager and one TaskManager from Maven Central
 * jars), jobs submitted with {@code --flinkMaster} and the shaded jar staged: both pipelines, and
 * {@code diff} against the DirectRunner for every output (scripts/flink-cluster.sh).
 */
@RunWith(JUnit4.class)
public class FlinkClusterIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/flink-cluster.sh";

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
}
