package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker killed mid-job on a cluster of two: {@code pageviews} on 1,000,000 events runs once
 * undisturbed and once with {@code kill -9} of one worker process while the job runs on both; the
 * job must complete, its output must equal the undisturbed run's ({@code sluice diff}), and its
 * summary's counts must equal the undisturbed run's. Used by the {@code *WorkerLossIT}s of the
 * {@code worker-loss} profile.
 */
final class WorkerLoss {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The counts of a {@code pageviews} summary that must not change when a worker is lost. */
  private static final List<String> COUNTS =
      List.of(
          "events_read",
          "files_read",
          "bad_records",
          "unreadable_files",
          "invalid_page_views",
          "dead_letters",
          "page_views",
          "outside_time_range",
          "output_records");

  /** Kills one worker process of the running job. */
  interface Kill {
    /**
     * Waits until the job runs on every worker, kills one, and returns what it killed and when.
     *
     * @param undisturbedMillis the wall time of the undisturbed run, from submit to its end
     */
    String killOneWorker(long undisturbedMillis) throws Exception;
  }

  private WorkerLoss() {}

  /** Sends SIGKILL to {@code pid}, and asserts that it was delivered. */
  static void kill9(long pid) throws Exception {
    assertEquals(
        "kill -9 " + pid,
        0,
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor());
  }

  /** Writes the 1,000,000 realistic page views both runs read. */
  static Path input(Path dir) {
    Path input = dir.resolve("pageviews-1m");
    sluice("generate-pageviews", "--count=1000000", "--out=" + input);
    return input;
  }

  /** Both runs through {@code script submit}, the kill, and the checks. */
  static void assertSurvives(String script, Path input, Path out, Kill kill, List<String> extra)
      throws Exception {
    Path clean = out.resolve("clean");
    long start = System.nanoTime();
    ClusterRuns.submit(script, args(input, clean, extra), out.resolve("clean.log").toFile());
    long cleanMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    Path killed = out.resolve("killed");
    Path log = out.resolve("killed.log");
    Process job = ClusterRuns.startSubmit(script, args(input, killed, extra), log.toFile());
    String what = kill.killOneWorker(cleanMillis);
    assertTrue("the job ended before the kill:\n" + Files.readString(log), job.isAlive());
    ClusterRuns.await(List.of(script, "submit", "(killed)"), job, log.toFile());
    long killedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) - cleanMillis;

    sluice(
        "diff",
        "--left=" + clean.resolve("pageviews"),
        "--right=" + killed.resolve("pageviews"),
        "--quiet=true");
    Map<String, Long> cleanCounts = counts(clean);
    Map<String, Long> killedCounts = counts(killed);
    System.out.printf(
        "%s: undisturbed %.1f s %s; killed %s, done in %.1f s %s%n",
        script, cleanMillis / 1000.0, cleanCounts, what, killedMillis / 1000.0, killedCounts);
    // What the runner said of the loss: lost executors and tasks, restarts.
    Files.readAllLines(log).stream()
        .filter(line -> line.matches("(?i).*(lost|resubmit|restart|failover|fail).*"))
        .limit(12)
        .forEach(line -> System.out.println("  " + line));
    assertEquals(Files.readString(log), cleanCounts, killedCounts);
    // Beam 2.62's cluster runners have attempted metrics only, and the summary says so.
    assertEquals(
        "attempted",
        MAPPER.readTree(killed.resolve("summary.json").toFile()).get("metrics").asText());
  }

  private static List<String> args(Path input, Path output, List<String> extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("pageviews", "--input=" + input, "--output=" + output, "--quiet=true"));
    args.addAll(extra);
    return args;
  }

  private static Map<String, Long> counts(Path output) throws Exception {
    JsonNode summary = MAPPER.readTree(output.resolve("summary.json").toFile());
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String count : COUNTS) {
      counts.put(count, summary.get(count).asLong());
    }
    return counts;
  }
}
