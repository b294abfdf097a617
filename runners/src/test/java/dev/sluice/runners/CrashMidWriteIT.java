package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@code kill -9} of {@code churn} and {@code pageviews} while they write, in a JVM of their own:
 * the output never looks complete ({@code _SUCCESS} and {@code summary.json} are absent, though the
 * output holds files), and a rerun into the same {@code --output} replaces it with exactly the
 * records of an undisturbed run ({@code sluice diff}) and no file of the killed run.
 */
@RunWith(JUnit4.class)
public class CrashMidWriteIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Path churnInput;
  private static Path pageviewsInput;

  /**
   * About 245,000 events in 200 files for churn; 600,000 page views for pageviews: enough that a
   * run is still writing when the test sees its first file. Neither holds a bad record, so neither
   * run writes a dead letter.
   */
  @BeforeClass
  public static void writeInputs() throws IOException {
    churnInput = TMP.newFolder("churn-input").toPath();
    byte[] events;
    try (InputStream in =
        new GZIPInputStream(
            Files.newInputStream(Path.of("testdata/churn/input/eventsim-slice.json.gz")))) {
      events = in.readAllBytes();
    }
    for (int i = 0; i < 200; i++) {
      Files.write(churnInput.resolve(String.format("events-%03d.json", i)), events);
    }
    pageviewsInput = TMP.getRoot().toPath().resolve("pageviews-input");
    sluice("generate-pageviews", "--count=600000", "--out=" + pageviewsInput);
  }

  @Test
  public void churnKilledWhileWritingNeverLooksCompleteAndARerunReplacesIt() throws Exception {
    assertKillAndRerun("churn", churnInput, List.of("labelled", "stayed", "cancelled"));
  }

  @Test
  public void pageviewsKilledWhileWritingNeverLooksCompleteAndARerunReplacesIt() throws Exception {
    assertKillAndRerun("pageviews", pageviewsInput, List.of("pageviews"));
  }

  private static void assertKillAndRerun(String pipeline, Path input, List<String> outputs)
      throws Exception {
    Path clean = TMP.getRoot().toPath().resolve(pipeline + "-clean");
    sluice(pipeline, "--input=" + input, "--output=" + clean, "--quiet=true");

    // An earlier complete run's marker: the killed run must take it away before it writes.
    Path crashed = TMP.newFolder(pipeline + "-crashed").toPath();
    Files.writeString(crashed.resolve("_SUCCESS"), "");
    Files.writeString(crashed.resolve("summary.json"), "{}");
    Path log = TMP.getRoot().toPath().resolve(pipeline + "-killed.log");
    Process run =
        SluiceCommand.process(
            List.of(pipeline, "--input=" + input, "--output=" + crashed, "--quiet=true"), log);
    List<String> written = awaitFirstWrite(run, crashed);
    run.destroyForcibly();
    assertTrue("the run did not stop", run.waitFor(1, TimeUnit.MINUTES));
    assertEquals(
        "the run was not killed (it finished first?):\n" + Files.readString(log),
        137,
        run.exitValue());
    assertFalse(written + " " + files(crashed), Files.exists(crashed.resolve("_SUCCESS")));
    assertFalse(written + " " + files(crashed), Files.exists(crashed.resolve("summary.json")));

    sluice(pipeline, "--input=" + input, "--output=" + crashed, "--quiet=true");
    assertTrue(Files.exists(crashed.resolve("_SUCCESS")));
    for (String output : outputs) {
      sluice(
          "diff",
          "--left=" + clean.resolve(output),
          "--right=" + crashed.resolve(output),
          "--quiet=true");
    }
    List<String> left = files(crashed);
    assertEquals(
        "files of the killed run are left: " + left,
        List.of(),
        left.stream()
            .filter(f -> f.contains("/.") || f.startsWith("."))
            .collect(Collectors.toList()));
  }

  /** Waits until the run has written a file under {@code output}; returns what it wrote. */
  private static List<String> awaitFirstWrite(Process run, Path output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline && run.isAlive()) {
      List<String> files = files(output);
      files.remove("_SUCCESS");
      files.remove("summary.json");
      if (!files.isEmpty() && !Files.exists(output.resolve("_SUCCESS"))) {
        return files;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the run wrote nothing before it ended or 3 minutes passed");
  }

  /** Every file under {@code root}, by relative path. */
  private static List<String> files(Path root) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(f -> files.add(root.relativize(f).toString()));
    } catch (java.io.UncheckedIOException e) {
      // A file renamed or deleted while listed: list again next time.
    }
    return files;
  }
}
