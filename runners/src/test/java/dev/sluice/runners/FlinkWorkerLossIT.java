package dev.sluice.runners;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code kill -9} of one of two TaskManagers while {@code pageviews} runs on the Flink session
 * cluster, whose restart strategy is fixed-delay (3 attempts; {@code scripts/flink-cluster.sh}):
 * Flink restarts the job on the TaskManager left (its exception history must show the failure), and
 * the job must end with the undisturbed run's output and counts ({@link WorkerLoss}). In the {@code
 * worker-loss} profile: {@code mvn verify -Pworker-loss}.
 */
@RunWith(JUnit4.class)
public class FlinkWorkerLossIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/flink-cluster.sh";

  /** Where the script keeps the pid files. */
  private static final Path RUN = Path.of("target/flink-home/run");

  @BeforeClass
  public static void startCluster() throws Exception {
    ClusterRuns.start(SCRIPT, TMP.getRoot().toPath(), "FLINK_TASKMANAGERS", "2");
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    ClusterRuns.stop(SCRIPT, TMP.getRoot().toPath());
  }

  @Test
  public void aKilledTaskManagerChangesNoOutputAndNoCount() throws Exception {
    Path input = WorkerLoss.input(TMP.getRoot().toPath());
    WorkerLoss.assertSurvives(
        SCRIPT,
        input,
        TMP.newFolder("out").toPath(),
        undisturbedMillis -> {
          long start = System.nanoTime();
          String taskManager = null;
          while (taskManager == null) {
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(2)) {
              throw new AssertionError("no subtask of the job ran in 2 minutes");
            }
            Thread.sleep(100);
            taskManager = taskManagerOfARunningSubtask();
          }
          // Let it read for a while, so that the failure comes mid-job.
          Thread.sleep(2_000);
          Path pidFile = RUN.resolve(taskManager + ".pid");
          String pid = Files.readString(pidFile).trim();
          WorkerLoss.kill9(Long.parseLong(pid));
          // The script's stop must not find this pid again: another process may take it.
          Files.delete(pidFile);
          return String.format(
              "%s (pid %s) at %.1f s", taskManager, pid, (System.nanoTime() - start) / 1e9);
        },
        List.of());
    // The job did fail over: the JobManager's history of the last job holds the lost TaskManager.
    String jobs = rest("/jobs/overview");
    JsonNode last = null;
    for (JsonNode job : new ObjectMapper().readTree(jobs).get("jobs")) {
      if (last == null || job.get("start-time").asLong() > last.get("start-time").asLong()) {
        last = job;
      }
    }
    String exceptions = rest("/jobs/" + last.get("jid").asText() + "/exceptions");
    JsonNode history = new ObjectMapper().readTree(exceptions).path("exceptionHistory");
    System.out.println("failures of the killed run's job: " + history.path("entries").size());
    assertTrue(exceptions, history.path("entries").size() > 0);
  }

  /**
   * The resource ID (the name, as {@code scripts/flink-cluster.sh} sets it) of a TaskManager
   * running a subtask of the running job, or null while none runs.
   */
  private static String taskManagerOfARunningSubtask() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    for (JsonNode job : mapper.readTree(rest("/jobs/overview")).get("jobs")) {
      if (!job.get("state").asText().equals("RUNNING")) {
        continue;
      }
      String jid = job.get("jid").asText();
      for (JsonNode vertex : mapper.readTree(rest("/jobs/" + jid)).get("vertices")) {
        String subtasks = rest("/jobs/" + jid + "/vertices/" + vertex.get("id").asText());
        for (JsonNode subtask : mapper.readTree(subtasks).path("subtasks")) {
          if (subtask.path("status").asText().equals("RUNNING")) {
            return subtask.path("taskmanager-id").asText();
          }
        }
      }
    }
    return null;
  }

  private static String rest(String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081" + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
