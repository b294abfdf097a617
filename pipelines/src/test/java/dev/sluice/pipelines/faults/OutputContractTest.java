package dev.sluice.pipelines.faults;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.sluice.pipelines.churn.ChurnPipeline;
import dev.sluice.pipelines.pageviews.PageViewsPipeline;
import dev.sluice.pipelines.report.PipelineRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The output contract of a batch run ({@link PipelineRun}): {@code _SUCCESS} is written last, a run
 * into an output that holds an earlier run's files (more shards than this run writes, the temporary
 * directories of a killed write, a stale marker) replaces them, and a run whose input lies in a
 * folder it would replace is refused before anything is deleted. That a killed run leaves no {@code
 * _SUCCESS} is {@code CrashMidWriteIT}'s subject.
 */
@RunWith(JUnit4.class)
public class OutputContractTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final Pattern SHARD = Pattern.compile("part-(\\d{5})-of-(\\d{5})(\\..*)");

  /**
   * What {@code root} holds: every file by relative path, the shards of a directory as one entry
   * {@code DIR/part-*.EXT} with their lines sorted (which shard holds a record, and how many shards
   * there are, is the runner's choice), the summary without its content (it holds the wall time).
   * Each directory's shards must be exactly {@code 0..N-1} of one {@code N}.
   */
  private static TreeMap<String, List<String>> contents(Path root) throws IOException {
    TreeMap<String, List<String>> contents = new TreeMap<>();
    Map<String, Set<String>> shards = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
        String name = root.relativize(file).toString();
        Matcher shard = SHARD.matcher(file.getFileName().toString());
        if (shard.matches()) {
          String directory = root.relativize(file.getParent()).toString();
          String key = directory + "/part-*" + shard.group(3);
          List<String> lines = new ArrayList<>(contents.getOrDefault(key, List.of()));
          lines.addAll(Files.readAllLines(file));
          lines.sort(String::compareTo);
          contents.put(key, lines);
          shards
              .computeIfAbsent(directory, d -> new TreeSet<>())
              .add(shard.group(1) + "/" + shard.group(2));
        } else {
          contents.put(name, name.equals("summary.json") ? List.of() : Files.readAllLines(file));
        }
      }
    }
    shards.forEach(
        (directory, names) -> {
          int count = Integer.parseInt(names.iterator().next().split("/")[1]);
          Set<String> expected = new TreeSet<>();
          for (int i = 0; i < count; i++) {
            expected.add(String.format("%05d/%05d", i, count));
          }
          assertEquals(directory, expected, names);
        });
    return contents;
  }

  /** Leaves in {@code out} what an earlier, killed run with more shards would have. */
  private static void litter(Path out, String directory) throws IOException {
    Files.createDirectories(out.resolve(directory));
    Files.writeString(
        out.resolve(directory).resolve("part-00099-of-00100.json"), "{\"stale\":1}\n");
    Path temp = Files.createDirectories(out.resolve(".temp-sluice-0000/" + directory));
    Files.writeString(temp.resolve("0000"), "{\"half\":");
    Files.writeString(out.resolve(PipelineRun.SUCCESS), "");
    Files.writeString(out.resolve("summary.json"), "{\"stale\":true}");
  }

  @Test
  public void churnRerunReplacesAnEarlierRunsFilesAndMarksTheOutputDone() throws Exception {
    Path clean = tmp.newFolder("clean").toPath();
    String input = "--input=testdata/churn/input";
    ChurnPipeline.run(ChurnPipeline.parseOptions(input, "--output=" + clean));
    assertTrue(Files.exists(clean.resolve(PipelineRun.SUCCESS)));
    assertEquals(0, Files.size(clean.resolve(PipelineRun.SUCCESS)));

    Path rerun = tmp.newFolder("rerun").toPath();
    litter(rerun, ChurnPipeline.LABELLED);
    litter(rerun, ChurnPipeline.DEAD_LETTER);
    Files.writeString(rerun.resolve("notes.txt"), "not Sluice's");
    ChurnPipeline.run(ChurnPipeline.parseOptions(input, "--output=" + rerun));
    TreeMap<String, List<String>> expected = contents(clean);
    // Files that are not Sluice's outputs stay.
    expected.put("notes.txt", contents(rerun).get("notes.txt"));
    assertEquals(expected, contents(rerun));
  }

  @Test
  public void pageviewsRerunReplacesAnEarlierRunsFilesAndMarksTheOutputDone() throws Exception {
    Path clean = tmp.newFolder("clean").toPath();
    String input = "--input=testdata/pageviews/input";
    PageViewsPipeline.run(PageViewsPipeline.parseOptions(input, "--output=" + clean));
    assertTrue(Files.exists(clean.resolve(PipelineRun.SUCCESS)));

    Path rerun = tmp.newFolder("rerun").toPath();
    litter(rerun, PageViewsPipeline.PAGEVIEWS);
    PageViewsPipeline.run(PageViewsPipeline.parseOptions(input, "--output=" + rerun));
    assertEquals(contents(clean), contents(rerun));
  }

  /** An input inside a folder the run would replace is refused before anything is deleted. */
  @Test
  public void anInputInsideAFolderTheRunReplacesIsRefused() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    ChurnPipeline.run(
        ChurnPipeline.parseOptions("--input=testdata/churn/input", "--output=" + out));
    TreeMap<String, List<String>> before = contents(out);
    ChurnPipeline.Options again =
        ChurnPipeline.parseOptions(
            "--input=" + out.resolve(ChurnPipeline.LABELLED) + "/", "--output=" + out);
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> ChurnPipeline.run(again));
    assertTrue(refused.getMessage(), refused.getMessage().contains("give another --output"));
    assertEquals(before, contents(out));
  }
}
