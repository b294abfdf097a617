package dev.sluice.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
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
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Deletes a directory and everything under it, on a local disk (a path, or a {@code file:} URI) or
 * any file system Beam has registered ({@code s3://}), where a directory is a key prefix and only
 * its objects exist. Object-store paths are listed with a glob, so a path that holds glob
 * characters is refused rather than taken as a pattern that may match other directories.
 */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes every file under {@code directory}, hidden ones (a killed write's {@code .temp-*}
   * directories) included, then, on a local disk, the directories themselves. A directory that does
   * not exist is not an error.
   *
   * @param directory a local path or a URI, without a trailing slash
   * @throws IllegalArgumentException if an object-store path holds a glob character ({@code
   *     *?[]{}})
   * @throws IOException if a file cannot be deleted
   */
  public static void delete(String directory) throws IOException {
    Path local = localPath(directory);
    if (local != null) {
      if (!Files.exists(local)) {
        return;
      }
      try (Stream<Path> walk = Files.walk(local)) {
        for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(path);
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return;
    }
    deleteMatching(literal(directory) + "/**");
  }

  /**
   * The directories directly under {@code root} whose names start with {@code prefix}, such as the
   * {@code .temp-sluice-ID} directories of writes that never finished.
   *
   * @param root a local path or a URI, without a trailing slash
   * @param prefix how their names start, without glob characters
   * @return their full paths, without trailing slashes
   * @throws IllegalArgumentException if an object-store root holds a glob character
   * @throws IOException if the local directory cannot be listed
   */
  public static List<String> directoriesStartingWith(String root, String prefix)
      throws IOException {
    List<String> found = new ArrayList<>();
    Path local = localPath(root);
    if (local != null) {
      if (!Files.isDirectory(local)) {
        return found;
      }
      try (Stream<Path> children = Files.list(local)) {
        children
            .filter(Files::isDirectory)
            .filter(child -> child.getFileName().toString().startsWith(prefix))
            .forEach(child -> found.add(child.toString()));
      }
      return found;
    }
    for (MatchResult.Metadata file : FilePlan.match(literal(root) + "/" + prefix + "*/**")) {
      String path = file.resourceId().toString();
      String child = path.substring(0, path.indexOf('/', root.length() + 1));
      if (!found.contains(child)) {
        found.add(child);
      }
    }
    return found;
  }

  /**
   * Deletes the files directly under {@code root} whose names start with {@code prefix}, such as a
   * summary a killed run left under its temporary name.
   *
   * @param root a local path or a URI, without a trailing slash
   * @param prefix how their names start, without glob characters
   * @throws IllegalArgumentException if an object-store root holds a glob character
   * @throws IOException if a file cannot be deleted
   */
  public static void deleteFilesStartingWith(String root, String prefix) throws IOException {
    Path local = localPath(root);
    if (local != null) {
      if (!Files.isDirectory(local)) {
        return;
      }
      try (Stream<Path> children = Files.list(local)) {
        for (Path child : (Iterable<Path>) children::iterator) {
          if (Files.isRegularFile(child) && child.getFileName().toString().startsWith(prefix)) {
            Files.deleteIfExists(child);
          }
        }
      }
      return;
    }
    deleteMatching(literal(root) + "/" + prefix + "*");
  }

  /** Deletes the objects of a file system Beam has registered that match {@code pattern}. */
  private static void deleteMatching(String pattern) throws IOException {
    List<ResourceId> files = new ArrayList<>();
    for (MatchResult.Metadata file : FilePlan.match(pattern)) {
      files.add(file.resourceId());
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  /**
   * The local path of a plain path or a {@code file:} URI; null for a path of another scheme
   * ({@code s3://}).
   */
  public static @Nullable Path localPath(String path) {
    if (path.startsWith("file:")) {
      return Path.of(URI.create(path));
    }
    return path.contains("://") ? null : Path.of(path);
  }

  /** {@code path} unchanged, when it holds no glob character. */
  private static String literal(String path) {
    for (char c : path.toCharArray()) {
      if ("*?[]{}".indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            path
                + ": an output path on an object store cannot hold the glob character '"
                + c
                + "'");
      }
    }
    return path;
  }
}
