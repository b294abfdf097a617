package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs both pipelines on the DirectRunner and through a cluster script ({@code scripts/*-cluster.sh
 * submit}), and proves with {@code diff} that every output is the same. Used by the cluster ITs.
 */
final class ClusterRuns {

  private static final List<String> OUTPUTS =
      List.of(
          "churn/labelled",
          "churn/stayed",
          "churn/cancelled",
          "churn/dead-letter",
          "pageviews/pageviews",
          "pageviews/dead-letter");

  private ClusterRuns() {}

  /** Runs {@code script start}. */
  static void start(String script, Path logs) throws IOException, InterruptedException {
    run(List.of(script, "start"), logs.resolve("start.log").toFile());
  }

  /**
   * Runs {@code script start} with {@code variable=value} in its environment (such as 2 workers).
   */
  static void start(String script, Path logs, String variable, String value)
      throws IOException, InterruptedException {
    ProcessBuilder start =
        new ProcessBuilder(script, "start")
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("start.log").toFile());
    start.environment().put(variable, value);
    await(List.of(script, "start"), start.start(), logs.resolve("start.log").toFile());
  }

  /** Starts {@code script submit ARGS} and returns at once; its output goes to {@code log}. */
  static Process startSubmit(String script, List<String> args, File log) throws IOException {
    List<String> command = new ArrayList<>(List.of(script, "submit"));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  /** Runs {@code script stop}. */
  static void stop(String script, Path logs) throws IOException, InterruptedException {
    run(List.of(script, "stop"), logs.resolve("stop.log").toFile());
  }

  /**
   * Both pipelines locally and on the cluster, then a diff of every output. The submits stage the
   * dependency jar into a new cache folder under {@code out}: the first submit copies it there, the
   * second finds it and ships only the code jar, as both submit logs must say.
   */
  static void assertClusterEqualsDirectRunner(String script, Path out) throws Exception {
    String churnInput = new File("testdata/churn/input").getAbsolutePath();
    String pageviewsInput = new File("testdata/pageviews/input").getAbsolutePath();
    for (String side : List.of("direct", "cluster")) {
      for (List<String> args :
          List.of(
              List.of("churn", "--input=" + churnInput, "--output=" + out.resolve(side + "/churn")),
              List.of(
                  "pageviews",
                  "--input=" + pageviewsInput,
                  "--output=" + out.resolve(side + "/pageviews")))) {
        if (side.equals("direct")) {
          sluice(args.toArray(new String[0]));
        } else {
          submit(
              script,
              args,
              out.resolve("submit-" + args.get(0) + ".log").toFile(),
              Map.of("SLUICE_DEPS_CACHE", out.resolve("deps-cache").toString()));
        }
      }
    }
    String first = Files.readString(out.resolve("submit-churn.log"));
    String second = Files.readString(out.resolve("submit-pageviews.log"));
    assertTrue(first, first.contains("staged dependency jar sluice-deps-"));
    assertTrue(
        second,
        second.contains("already staged") && second.contains("shipping only sluice-code.jar"));
    for (String output : OUTPUTS) {
      sluice(
          "diff",
          "--left=" + out.resolve("direct/" + output),
          "--right=" + out.resolve("cluster/" + output));
    }
  }

  /** Runs {@code script submit ARGS}, its output in {@code log}, and asserts that it exits 0. */
  static void submit(String script, List<String> args, File log)
      throws IOException, InterruptedException {
    submit(script, args, log, Map.of());
  }

  /** As {@link #submit(String, List, File)}, with {@code environment} added to the script's. */
  static void submit(String script, List<String> args, File log, Map<String, String> environment)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(script, "submit"));
    command.addAll(args);
    ProcessBuilder submit =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
    submit.environment().putAll(environment);
    await(command, submit.start(), log);
  }

  /**
   * {@code pageviews} submitted with the one shaded jar ({@code SLUICE_STAGING=single}) equals the
   * DirectRunner's output.
   */
  static void assertSingleJarSubmitEqualsDirectRunner(String script, Path out) throws Exception {
    List<String> args =
        List.of(
            "pageviews",
            "--input=" + new File("testdata/pageviews/input").getAbsolutePath(),
            "--output=" + out.resolve("single"));
    submit(
        script,
        args,
        out.resolve("submit-single.log").toFile(),
        Map.of("SLUICE_STAGING", "single"));
    sluice(
        "pageviews",
        "--input=" + new File("testdata/pageviews/input").getAbsolutePath(),
        "--output=" + out.resolve("direct"));
    sluice(
        "diff",
        "--left=" + out.resolve("direct/pageviews"),
        "--right=" + out.resolve("single/pageviews"));
  }

  private static void run(List<String> command, File log) throws IOException, InterruptedException {
    await(
        command,
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start(),
        log);
  }

  /** Waits up to 5 minutes for {@code process} and asserts that it exits 0. */
  static void await(List<String> command, Process process, File log)
      throws IOException, InterruptedException {
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 5 minutes");
    }
    assertEquals(command + " failed:\n" + Files.readString(log.toPath()), 0, process.exitValue());
  }
}
