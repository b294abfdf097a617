package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.values.KV;

/**
 * The files one read covers, listed once on the launcher (as Spark's driver lists its input), each
 * with its {@link FileFormat}, and the {@link FileSplit}s they are read in: immutable, so a
 * pipeline can report what it will read before it runs.
 *
 * <p>Uncompressed files of a splittable format (JSON lines) larger than {@value #SPLIT_BYTES} bytes
 * are cut into splits of that size, so that one large file is read by several workers; every other
 * file is one split. Files are in path order.
 */
public final class FilePlan implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Size of the splits a large uncompressed file is read in: 64 MiB, as Beam's TextIO uses. */
  public static final long SPLIT_BYTES = 64L * 1024 * 1024;

  private final List<MatchResult.Metadata> files;
  private final List<FileSplit> splits;
  private final Map<FileFormat, Integer> filesByFormat;

  private FilePlan(List<MatchResult.Metadata> files, List<FileSplit> splits) {
    this.files = Collections.unmodifiableList(files);
    this.splits = Collections.unmodifiableList(splits);
    Map<FileFormat, Integer> counts = new EnumMap<>(FileFormat.class);
    for (FileSplit split : splits) {
      if (split.isFirst()) {
        counts.merge(split.format(), 1, Integer::sum);
      }
    }
    this.filesByFormat = Collections.unmodifiableMap(counts);
  }

  /**
   * Lists the files {@code input} names. Files named for a format ({@link FileFormat#ofFileName})
   * are read in it; other files, such as Spark's {@code part-00000} or {@code events.log.bz2}, are
   * read as JSON lines, decompressed by their name. Hidden files ({@code _SUCCESS}, {@code .crc})
   * are not data.
   *
   * @param input a file, a directory (every file directly in it) or a glob; local or any scheme
   *     registered with Beam (see {@link #filepatternOf})
   * @return the plan; empty when {@code input} names no data file
   * @throws IllegalArgumentException if {@code input} is blank
   * @throws IllegalStateException if the file system failed to list it (a store that failed every
   *     retry)
   */
  public static FilePlan list(String input) {
    return list(input, SPLIT_BYTES);
  }

  /** {@link #list(String)} with splits of {@code splitBytes}. */
  static FilePlan list(String input, long splitBytes) {
    checkArgumentNotNull(input, "input must not be null");
    if (input.isBlank()) {
      throw new IllegalArgumentException("input must not be blank");
    }
    List<MatchResult.Metadata> listed = match(filepatternOf(input));
    List<MatchResult.Metadata> files = new ArrayList<>();
    List<FileFormat> formats = new ArrayList<>();
    for (MatchResult.Metadata file : listed) {
      String name = file.resourceId().getFilename();
      if (name == null || FileFormat.isHidden(name)) {
        continue;
      }
      files.add(file);
      formats.add(FileFormat.ofFileName(name).orElse(FileFormat.JSON));
    }
    return of(files, formats, splitBytes);
  }

  /**
   * A plan of files already listed, each read in its format.
   *
   * @param files the files
   * @param formats the format of each file, in the same order
   * @return the plan, files sorted by path
   */
  static FilePlan of(List<MatchResult.Metadata> files, List<FileFormat> formats) {
    return of(files, formats, SPLIT_BYTES);
  }

  private static FilePlan of(
      List<MatchResult.Metadata> files, List<FileFormat> formats, long splitBytes) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> path(files.get(a)).compareTo(path(files.get(b))));
    List<MatchResult.Metadata> sorted = new ArrayList<>();
    List<FileSplit> splits = new ArrayList<>();
    for (int i : order) {
      sorted.add(files.get(i));
      splits.addAll(splitsOf(files.get(i), formats.get(i), splitBytes));
    }
    return new FilePlan(sorted, splits);
  }

  private static List<FileSplit> splitsOf(
      MatchResult.Metadata file, FileFormat format, long splitBytes) {
    long size = file.sizeBytes();
    boolean splittable =
        format.reader().isSplittable()
            && file.isReadSeekEfficient()
            && Compression.detect(file.resourceId().getFilename()) == Compression.UNCOMPRESSED
            && size > splitBytes;
    if (!splittable) {
      return List.of(FileSplit.whole(file, format));
    }
    List<FileSplit> splits = new ArrayList<>();
    for (long from = 0; from < size; from += splitBytes) {
      splits.add(FileSplit.of(file, format, from, Math.min(size, from + splitBytes)));
    }
    return splits;
  }

  /**
   * Every file matching {@code filepattern}; none when it matches nothing.
   *
   * @throws IllegalStateException if the file system failed to list it (an object store that failed
   *     every retry): that is no empty match
   */
  static List<MatchResult.Metadata> match(String filepattern) {
    MatchResult match;
    try {
      match = FileSystems.match(filepattern, EmptyMatchTreatment.ALLOW);
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + filepattern + ": " + e.getMessage(), e);
    }
    if (match.status() == MatchResult.Status.ERROR) {
      try {
        match.metadata();
      } catch (IOException e) {
        throw new IllegalStateException("cannot list " + filepattern + ": " + e.getMessage(), e);
      }
    }
    if (match.status() != MatchResult.Status.OK) {
      return List.of();
    }
    try {
      return match.metadata();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + filepattern + ": " + e.getMessage(), e);
    }
  }

  /**
   * Turns a user's input path into the Beam filepattern it stands for: a directory becomes {@code
   * DIR/*}; a file or glob is returned unchanged.
   *
   * <p>Object stores have no directories: there a path that names no object (such as {@code
   * s3://bucket/events}) is read as the prefix {@code s3://bucket/events/*}. That costs one lookup
   * on the launcher.
   *
   * @param input a file, a directory (local, or ending in {@code /}) or a glob
   * @return the filepattern
   */
  public static String filepatternOf(String input) {
    if (input.endsWith("/")) {
      return input + "*";
    }
    if (input.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
      return input;
    }
    boolean directory =
        input.contains("://") ? namesNoObject(input) : Files.isDirectory(Paths.get(input));
    return directory ? input + "/*" : input;
  }

  private static boolean namesNoObject(String uri) {
    try {
      return FileSystems.match(uri, EmptyMatchTreatment.DISALLOW).status()
          == MatchResult.Status.NOT_FOUND;
    } catch (IOException e) {
      return false; // The listing itself reports the file system's error.
    }
  }

  private static String path(MatchResult.Metadata file) {
    return file.resourceId().toString();
  }

  /**
   * The splits, each keyed by its chunk: {@code chunks} runs of consecutive splits (or one per
   * split, if fewer). Files are in path order, so a chunk holds neighbouring files (and
   * partitions). Grouping by chunk gives each worker one chunk at a time, and one bundle per chunk
   * on the DirectRunner.
   */
  public List<KV<Integer, FileSplit>> chunks(int chunks) {
    int n = Math.max(1, Math.min(chunks, splits.size()));
    List<KV<Integer, FileSplit>> keyed = new ArrayList<>(splits.size());
    for (int i = 0; i < splits.size(); i++) {
      keyed.add(KV.of((int) ((long) i * n / splits.size()), splits.get(i)));
    }
    return keyed;
  }

  /** The files to read, sorted by path. */
  public List<MatchResult.Metadata> files() {
    return files;
  }

  /** The splits the files are read in, file by file. */
  public List<FileSplit> splits() {
    return splits;
  }

  /** True when there is no file to read. */
  public boolean isEmpty() {
    return files.isEmpty();
  }

  /** How many files of each format the plan reads. */
  public Map<FileFormat, Integer> filesByFormat() {
    return filesByFormat;
  }

  /** Total size of the files, in bytes. */
  public long bytes() {
    return files.stream().mapToLong(MatchResult.Metadata::sizeBytes).sum();
  }
}
