package dev.sluice.runners;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * A real Spark standalone cluster on 127.0.0.1 (scripts/spark-cluster.sh: master and one worker
 * from Maven Central jars), {@code spark-submit} of the shaded jar built by {@code mvn package},
 * and {@code diff} against the DirectRunner for every output of both pipelines.
 */
@RunWith(JUnit4.class)
public class SparkClusterIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/spark-cluster.sh";

  @BeforeClass
  public static void startCluster() throws Exception {
    run(List.of(SCRIPT, "start"), TMP.newFile("start.log"));
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    run(List.of(SCRIPT, "stop"), TMP.newFile("stop.log"));
  }

  @Test
  public void bothPipelinesOnTheClusterEqualTheDirectRunner() throws Exception {
    Path out = TMP.newFolder("out").toPath().toAbsolutePath();
    String churnInput = new File("testdata/churn/input").getAbsolutePath();
    String pageviewsInput = new File("testdata/pageviews/input").getAbsolutePath();
    for (String runner : List.of("direct", "cluster")) {
      List<String> churn = List.of("churn", "--input=" + churnInput,
          "--output=" + out.resolve(runner).resolve("churn"));
      List<String> pageviews = List.of("pageviews", "--input=" + pageviewsInput,
          "--output=" + out.resolve(runner).resolve("pageviews"));
      for (List<String> args : List.of(churn, pageviews)) {
        if (runner.equals("direct")) {
          sluice(args.toArray(new String[0]));
        } else {
          List<String> submit = new ArrayList<>(List.of(SCRIPT, "submit"));
          submit.addAll(args);
          run(submit, TMP.newFile("submit-" + args.get(0) + ".log"));
        }
      }
    }
    for (String output : List.of("churn/labelled", "churn/stayed", "churn/cancelled",
        "churn/dead-letter", "pageviews/pageviews", "pageviews/dead-letter")) {
      sluice("diff", "--left=" + out.resolve("direct").resolve(output),
          "--right=" + out.resolve("cluster").resolve(output));
    }
  }

  private static void sluice(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Sluice.run(args,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8),
        Sluice.OK, status);
  }

  private static void run(List<String> command, File log) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log)
        .start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 5 minutes");
    }
    assertEquals(command + " failed:\n" + Files.readString(log.toPath()), 0, process.exitValue());
  }
}
