package dev.sluice.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Deletes a directory and everything under it, on a local disk or any file system Beam has
 * registered ({@code s3://}), where a directory is a key prefix and only its objects exist.
 */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes every file under {@code directory}, hidden ones (a killed write's {@code .temp-*}
   * directories) included, then, on a local disk, the directories themselves. A directory that does
   * not exist is not an error.
   *
   * @param directory a local path or a URI, without a trailing slash
   * @throws IOException if a file cannot be deleted
   */
  public static void delete(String directory) throws IOException {
    if (!directory.contains("://")) {
      Path dir = Path.of(directory);
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(path);
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return;
    }
    List<ResourceId> files = new ArrayList<>();
    for (MatchResult.Metadata file : FilePlan.match(directory + "/**")) {
      files.add(file.resourceId());
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /**
   * The directories directly under {@code root} whose names start with {@code prefix}, such as the
   * {@code .temp-sluice-ID} directories of writes that never finished.
   *
   * @param root a local path or a URI, without a trailing slash
   * @return their full paths, without trailing slashes
   * @throws IOException if the local directory cannot be listed
   */
  public static List<String> directoriesStartingWith(String root, String prefix)
      throws IOException {
    List<String> found = new ArrayList<>();
    if (!root.contains("://")) {
      Path dir = Path.of(root);
      if (!Files.isDirectory(dir)) {
        return found;
      }
      try (Stream<Path> children = Files.list(dir)) {
        children
            .filter(Files::isDirectory)
            .filter(child -> child.getFileName().toString().startsWith(prefix))
            .forEach(child -> found.add(child.toString()));
      }
      return found;
    }
    for (MatchResult.Metadata file : FilePlan.match(root + "/" + prefix + "*/**")) {
      String path = file.resourceId().toString();
      String child = path.substring(0, path.indexOf('/', root.length() + 1));
      if (!found.contains(child)) {
        found.add(child);
      }
    }
    return found;
  }
}
