package dev.sluice.runners;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code kill -9} of one of two Spark executors while {@code pageviews} runs on the standalone
 * cluster (two workers): Spark re-runs the lost tasks on the other executor (and on the one its
 * worker starts again), and the job must end with the undisturbed run's output and counts ({@link
 * WorkerLoss}). In the {@code worker-loss} profile: {@code mvn verify -Pworker-loss}.
 */
@RunWith(JUnit4.class)
public class SparkWorkerLossIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/spark-cluster.sh";

  @BeforeClass
  public static void startCluster() throws Exception {
    ClusterRuns.start(SCRIPT, TMP.getRoot().toPath(), "SPARK_WORKERS", "2");
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    ClusterRuns.stop(SCRIPT, TMP.getRoot().toPath());
  }

  @Test
  public void aKilledExecutorChangesNoOutputAndNoCount() throws Exception {
    Path input = WorkerLoss.input(TMP.getRoot().toPath());
    Path out = TMP.newFolder("out").toPath();
    WorkerLoss.assertSurvives(
        SCRIPT,
        input,
        out,
        undisturbedMillis -> {
          // The executors of this job: those that were not running when it was submitted.
          List<Long> before = pids(executors());
          long start = System.nanoTime();
          List<ProcessHandle> executors = List.of();
          while (executors.size() < 2) {
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(2)) {
              throw new AssertionError("two executors did not start in 2 minutes");
            }
            Thread.sleep(100);
            executors =
                executors().stream()
                    .filter(e -> !before.contains(e.pid()))
                    .collect(Collectors.toList());
          }
          // Halfway through the undisturbed run's time: tasks running on both.
          long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          Thread.sleep(Math.max(0, undisturbedMillis / 2 - waited));
          ProcessHandle executor = executors.get(0);
          WorkerLoss.kill9(executor.pid());
          return String.format(
              "executor pid %d at %.1f s", executor.pid(), (System.nanoTime() - start) / 1e9);
        },
        List.of());
    // Spark saw the loss and re-ran what was lost.
    String log = Files.readString(out.resolve("killed.log"));
    assertTrue(log, log.contains("Lost executor"));
  }

  private static List<Long> pids(List<ProcessHandle> processes) {
    return processes.stream().map(ProcessHandle::pid).collect(Collectors.toList());
  }

  /** The executor processes of this machine. */
  private static List<ProcessHandle> executors() {
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .orElse("")
                    .contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"))
        .collect(Collectors.toList());
  }
}
