package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.ReadAllViaFileBasedSourceWithFilename;
import org.apache.beam.sdk.io.TextSource;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads text lines from files, each with the file it came from: {@code PBegin} in, {@code
 * PCollection<KV<String, String>>} out, keyed by the file's full path or URI, valued by the line
 * without its terminator ({@code \n}, {@code \r\n} or {@code \r}).
 *
 * <p>The input is a single file, a directory (a local directory, or any path ending in {@code /},
 * meaning every file directly in it) or a glob such as {@code logs/2018-11-*.json.gz}. Compression
 * is detected from the file name ({@code .gz}, {@code .bz2}, {@code .zst}, ...). Files whose name
 * starts with {@code .} or {@code _} ({@code _SUCCESS}, {@code .crc}) are not data and are skipped,
 * as Spark and Hadoop skip them.
 *
 * <p>Uncompressed files are split into ranges of about 64 MB that are read in parallel, so one
 * large file does not serialise the pipeline; a compressed file is read whole by one worker. This
 * is Beam's own splittable text reader ({@link TextSource} through {@link
 * ReadAllViaFileBasedSourceWithFilename}), which {@code TextIO.readFiles()} uses too, minus the
 * loss of the file name.
 *
 * <p>Output is in the global window with no timestamps of interest. A pattern that matches nothing
 * fails the pipeline at run time with Beam's "no matching files" error; callers that want a
 * friendly message check the input before they build the pipeline (see {@link
 * #filepatternOf(String)}).
 *
 * <pre>{@code
 * PCollection<KV<String, String>> lines = p.apply("ReadLines", ReadLines.from("events/"));
 * }</pre>
 */
public final class ReadLines extends PTransform<PBegin, PCollection<KV<String, String>>> {

  /** Size of the ranges an uncompressed file is split into: 64 MB, as {@code TextIO} uses. */
  static final long DESIRED_BUNDLE_SIZE_BYTES = 64L * 1024 * 1024;

  private final String filepattern;

  private ReadLines(String filepattern) {
    this.filepattern = filepattern;
  }

  /**
   * Reads every line of the files that {@code input} names.
   *
   * @param input a file, a directory or a glob; local or any scheme registered with Beam
   * @return the transform
   * @throws IllegalArgumentException if {@code input} is null or blank
   */
  public static ReadLines from(String input) {
    checkArgumentNotNull(input, "input must not be null");
    if (input.isBlank()) {
      throw new IllegalArgumentException("input must not be blank");
    }
    return new ReadLines(filepatternOf(input));
  }

  /**
   * Turns a user's input path into the Beam filepattern this transform matches: a directory becomes
   * {@code DIR/*}; a file or glob is returned unchanged.
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
    if (hasGlob(input)) {
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
      return false; // The read itself reports the file system's error.
    }
  }

  /**
   * How many files {@code input} names, matched as {@link #from} would match them ({@link
   * #filepatternOf}); 0 when it names none.
   *
   * @param input a file, a directory or a glob
   * @return the number of matching files
   * @throws IOException if the file system cannot be listed
   */
  public static int countFiles(String input) throws IOException {
    MatchResult match = FileSystems.match(filepatternOf(input), EmptyMatchTreatment.ALLOW);
    return match.status() == MatchResult.Status.OK ? match.metadata().size() : 0;
  }

  /**
   * True for file names that hold no data by Hadoop's and Spark's convention: those starting with
   * {@code .} or {@code _} ({@code _SUCCESS}, {@code .part-0.crc}).
   */
  static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  private static boolean hasGlob(String path) {
    return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
  }

  /** The filepattern this transform reads. */
  public String filepattern() {
    return filepattern;
  }

  @Override
  public PCollection<KV<String, String>> expand(PBegin input) {
    return input
        .apply(
            "MatchFiles",
            FileIO.match()
                .filepattern(filepattern)
                .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("SkipHiddenFiles", Filter.by(new IsDataFile()))
        .apply("ReadMatches", FileIO.readMatches().withCompression(Compression.AUTO))
        .apply(
            "ReadLinesWithFilename",
            new ReadAllViaFileBasedSourceWithFilename<>(
                DESIRED_BUNDLE_SIZE_BYTES,
                new CreateTextSourceFn(),
                KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
  }

  /** True for files that hold data; false for {@code _SUCCESS}, {@code .crc} and the like. */
  static final class IsDataFile implements SerializableFunction<MatchResult.Metadata, Boolean> {
    @Override
    public Boolean apply(MatchResult.Metadata metadata) {
      String name = metadata.resourceId().getFilename();
      return name != null && !isHidden(name);
    }
  }

  /** Makes Beam's text source for one file, with the default line terminators. */
  static final class CreateTextSourceFn
      implements SerializableFunction<String, FileBasedSource<String>> {
    @Override
    public FileBasedSource<String> apply(String file) {
      return new TextSource(
          StaticValueProvider.of(file), EmptyMatchTreatment.DISALLOW, /* delimiter= */ null);
    }
  }
}
