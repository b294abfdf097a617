package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The data files of a Hive-style partitioned tree, listed once on the launcher (as Spark's driver
 * lists partitions), and the partitions a time range prunes: immutable, so the counts a pipeline
 * reports are those of what it reads.
 *
 * <p>The tree is {@code ROOT/key=value/.../file}; data files are those named for a {@link
 * FileFormat} ({@link FileFormat#ofFileName}); other files, hidden ones included, are not data. A
 * partition is a directory holding data files. With {@link #withTimeRange}, a partition whose
 * {@code year/month/day/hour} span ({@link HivePartitions#timeSpan}) misses {@code [from, to)} is
 * pruned: none of its files is read, and rows of kept partitions are not filtered.
 *
 * <pre>{@code
 * HivePartitionPlan plan = HivePartitionPlan.list("s3://logs/pageviews")
 *     .withTimeRange(Instant.parse("2017-09-17T00:00:00Z"), null);
 * }</pre>
 */
public final class HivePartitionPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String root;
  private final List<MatchResult.Metadata> dataFiles;
  private final @Nullable Instant from;
  private final @Nullable Instant to;
  private final FilePlan kept;
  private final int partitions;
  private final int prunedPartitions;
  private final int prunedFiles;

  private HivePartitionPlan(
      String root,
      List<MatchResult.Metadata> dataFiles,
      @Nullable Instant from,
      @Nullable Instant to) {
    this.root = root;
    this.dataFiles = dataFiles;
    this.from = from;
    this.to = to;
    List<MatchResult.Metadata> files = new ArrayList<>();
    List<FileFormat> formats = new ArrayList<>();
    Set<String> all = new TreeSet<>();
    Set<String> pruned = new TreeSet<>();
    int prunedCount = 0;
    for (MatchResult.Metadata file : dataFiles) {
      String path = file.resourceId().toString();
      String partition = path.substring(0, Math.max(0, path.lastIndexOf('/')));
      all.add(partition);
      if (HivePartitions.mayOverlap(HivePartitions.values(path), from, to)) {
        files.add(file);
        formats.add(FileFormat.ofFileName(file.resourceId().getFilename()).orElseThrow());
      } else {
        pruned.add(partition);
        prunedCount++;
      }
    }
    this.kept = FilePlan.of(files, formats);
    this.partitions = all.size();
    this.prunedPartitions = pruned.size();
    this.prunedFiles = prunedCount;
  }

  /**
   * Lists every data file under {@code root} ({@code ROOT/**}).
   *
   * @param root the root of the tree: local path or URI
   * @return the plan, nothing pruned
   * @throws IllegalArgumentException if {@code root} is blank, cannot be listed or holds no data
   *     file
   */
  public static HivePartitionPlan list(String root) {
    checkArgumentNotNull(root, "root must not be null");
    if (root.isBlank()) {
      throw new IllegalArgumentException("root must not be blank");
    }
    String trimmed = root.replaceAll("/+$", "");
    List<MatchResult.Metadata> dataFiles = new ArrayList<>();
    for (MatchResult.Metadata file : FilePlan.match(trimmed + "/**")) {
      String name = file.resourceId().getFilename();
      if (name != null && FileFormat.ofFileName(name).isPresent()) {
        dataFiles.add(file);
      }
    }
    if (dataFiles.isEmpty()) {
      throw new IllegalArgumentException(
          "no data file (.parquet, .json, .json.gz) under " + trimmed);
    }
    return new HivePartitionPlan(trimmed, Collections.unmodifiableList(dataFiles), null, null);
  }

  /**
   * The same listing, pruned to the partitions that may hold events in {@code [from, to)}; a null
   * bound is open. Nothing is listed again.
   *
   * @throws IllegalArgumentException if both are set and {@code from} is not before {@code to}
   */
  public HivePartitionPlan withTimeRange(@Nullable Instant from, @Nullable Instant to) {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
    }
    return new HivePartitionPlan(root, dataFiles, from, to);
  }

  /** The root of the tree, without a trailing slash. */
  public String root() {
    return root;
  }

  /** Start of the time range, inclusive, or null. */
  public @Nullable Instant from() {
    return from;
  }

  /** End of the time range, exclusive, or null. */
  public @Nullable Instant to() {
    return to;
  }

  /** The files to read, sorted by path. */
  public List<MatchResult.Metadata> files() {
    return kept.files();
  }

  /** The files to read as a {@link FilePlan}, with their formats and splits. */
  public FilePlan filePlan() {
    return kept;
  }

  /** Partitions (directories holding data files) found. */
  public int partitions() {
    return partitions;
  }

  /** Partitions pruned by the time range, none of whose files are read. */
  public int prunedPartitions() {
    return prunedPartitions;
  }

  /** Data files in pruned partitions. */
  public int prunedFiles() {
    return prunedFiles;
  }

  /** Total size of the files to read, in bytes. */
  public long bytes() {
    return kept.bytes();
  }
}
