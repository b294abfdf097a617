package dev.sluice.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;

/**
 * Text files written by the {@code DoFn} that makes their lines, one temporary file per bundle and
 * destination, then renamed to their final names once every bundle is done: the write of {@code
 * FileIO} with runner-chosen sharding (temporary files, then a finalize that renames them), for
 * steps that format and write in one pass so that no line crosses a step. The DirectRunner, which
 * would otherwise group every written record by shard to test sharding, then holds one bundle's
 * lines at most.
 *
 * <p>A {@link Writer} in the {@code DoFn} opens {@code ROOT/.temp-sluice-ID/DESTINATION/UUID} files
 * as lines come and, at the end of the bundle, gives each temporary file as {@code KV<destination,
 * temporary path>}; {@link FinalizeFn}, after a {@code GroupByKey} of all of them on one key,
 * renames each destination's files to {@code ROOT/DESTINATION/part-SSSSS-of-NNNNN} with the
 * format's suffix (in path order, so that a retried finalize gives the same names) and deletes the
 * temporary directory. Files of a bundle that failed are never given, so never renamed; they go
 * with the directory. Existing files of the same final names are replaced, as {@code FileIO}
 * replaces them.
 */
public final class BundleFiles {

  /** How the name of a temporary directory under the root starts. */
  public static final String TEMP_PREFIX = ".temp-sluice-";

  private BundleFiles() {}

  /** The temporary directory of one write under {@code root}. */
  public static String tempDirectory(String root) {
    return root + "/" + TEMP_PREFIX + UUID.randomUUID();
  }

  /** Writes the lines of one bundle, each destination to its own temporary file. */
  public static final class Writer {
    private final String tempDirectory;
    private final FileFormat format;
    private final Map<String, OutputStream> open = new LinkedHashMap<>();
    private final Map<String, String> paths = new LinkedHashMap<>();

    /**
     * @param tempDirectory from {@link #tempDirectory}, the same for every bundle of the write
     * @param format a text format: its compression applies
     */
    public Writer(String tempDirectory, FileFormat format) {
      if (!format.isText()) {
        throw new IllegalArgumentException(format + " is not a text format");
      }
      this.tempDirectory = tempDirectory;
      this.format = format;
    }

    /** The stream of {@code destination}'s temporary file, opened on first use. */
    public OutputStream stream(String destination) throws IOException {
      OutputStream stream = open.get(destination);
      if (stream == null) {
        String path = tempDirectory + "/" + destination + "/" + UUID.randomUUID();
        ResourceId file = FileSystems.matchNewResource(path, /* isDirectory= */ false);
        stream =
            Channels.newOutputStream(
                format.compression().writeCompressed(FileSystems.create(file, MimeTypes.TEXT)));
        open.put(destination, stream);
        paths.put(destination, path);
      }
      return stream;
    }

    /** Closes every file and gives them as {@code KV<destination, temporary path>}. */
    public List<KV<String, String>> close() throws IOException {
      List<KV<String, String>> written = new ArrayList<>();
      for (Map.Entry<String, OutputStream> file : open.entrySet()) {
        file.getValue().close();
        written.add(KV.of(file.getKey(), paths.get(file.getKey())));
      }
      open.clear();
      return written;
    }
  }

  /**
   * Renames every temporary file to its final name and deletes the temporary directory: {@code
   * KV<key, Iterable<KV<destination, temporary path>>>} in (one key), the final paths out.
   */
  public static final class FinalizeFn
      extends DoFn<KV<Integer, Iterable<KV<String, String>>>, String> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String root;
    private final String tempDirectory;
    private final FileFormat format;

    /**
     * @param root the output root the destinations are under
     * @param tempDirectory the write's temporary directory
     * @param format the format, for the suffix
     */
    public FinalizeFn(String root, String tempDirectory, FileFormat format) {
      this.root = root;
      this.tempDirectory = tempDirectory;
      this.format = format;
    }

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Iterable<KV<String, String>>> files, OutputReceiver<String> out)
        throws IOException {
      Map<String, List<String>> byDestination = new TreeMap<>();
      for (KV<String, String> file : files.getValue()) {
        byDestination.computeIfAbsent(file.getKey(), d -> new ArrayList<>()).add(file.getValue());
      }
      for (Map.Entry<String, List<String>> destination : byDestination.entrySet()) {
        List<String> temps = destination.getValue();
        temps.sort(String::compareTo);
        List<ResourceId> from = new ArrayList<>();
        List<ResourceId> to = new ArrayList<>();
        for (int i = 0; i < temps.size(); i++) {
          from.add(FileSystems.matchNewResource(temps.get(i), false));
          String name =
              String.format(Locale.ROOT, "part-%05d-of-%05d%s", i, temps.size(), format.suffix());
          to.add(
              FileSystems.matchNewResource(root + "/" + destination.getKey(), true)
                  .resolve(name, ResolveOptions.StandardResolveOptions.RESOLVE_FILE));
        }
        FileSystems.rename(from, to, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
        to.forEach(file -> out.output(file.toString()));
      }
      deleteTemporaryDirectory();
    }

    private void deleteTemporaryDirectory() throws IOException {
      FileTrees.delete(tempDirectory);
    }
  }
}
