package dev.sluice.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** {@link FileTrees}: what it deletes, what it leaves, and the paths it refuses. */
@RunWith(JUnit4.class)
public class FileTreesTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void deletesATreeWithItsHiddenFilesAndNothingBeside() throws Exception {
    Path root = tmp.getRoot().toPath();
    Path tree = Files.createDirectories(root.resolve("out/labelled/.temp-beam-1"));
    Files.writeString(tree.resolve("part"), "x");
    Files.writeString(root.resolve("out/labelled/part-00000-of-00001.json"), "x");
    Files.writeString(root.resolve("out/labelled-not.json"), "kept");
    FileTrees.delete(root.resolve("out/labelled").toString());
    assertFalse(Files.exists(root.resolve("out/labelled")));
    assertTrue(Files.exists(root.resolve("out/labelled-not.json")));
    // Through a file: URI, and a directory that is not there.
    Files.createDirectories(root.resolve("out/stayed"));
    FileTrees.delete(root.resolve("out/stayed").toUri().toString().replaceAll("/$", ""));
    assertFalse(Files.exists(root.resolve("out/stayed")));
    FileTrees.delete(root.resolve("out/none").toString());
  }

  @Test
  public void findsAndDeletesByPrefixOnlyDirectlyUnderTheRoot() throws Exception {
    Path root = tmp.getRoot().toPath();
    Files.createDirectories(root.resolve(".temp-sluice-1/labelled"));
    Files.createDirectories(root.resolve("labelled/.temp-sluice-2"));
    Files.writeString(root.resolve(".tmp-summary-1-summary.json"), "{");
    Files.writeString(root.resolve("summary.json"), "{}");
    assertEquals(
        List.of(root.resolve(".temp-sluice-1").toString()),
        FileTrees.directoriesStartingWith(root.toString(), ".temp-sluice-"));
    FileTrees.deleteFilesStartingWith(root.toString(), ".tmp-summary-");
    assertFalse(Files.exists(root.resolve(".tmp-summary-1-summary.json")));
    assertTrue(Files.exists(root.resolve("summary.json")));
  }

  @Test
  public void anObjectStorePathWithAGlobCharacterIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FileTrees.delete("s3://b/run[12]/out"));
    assertTrue(e.getMessage(), e.getMessage().contains("'['"));
  }
}
