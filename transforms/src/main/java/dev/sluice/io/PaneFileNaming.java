package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * Names the files of one window's pane, for {@code FileIO.write().withNaming()} on a stream: {@code
 * window=START/pane-INDEX-TIMING-SHARD-of-SHARDS.SUFFIX}, for example {@code
 * window=2017-09-17T01:00/pane-2-late-00000-of-00001.json}.
 *
 * <p>{@code START} is the window's start in UTC, {@code yyyy-MM-dd'T'HH:mm} (with {@code :ss} when
 * it is not on a minute); windows other than interval windows (the global window) have no {@code
 * window=} folder. {@code INDEX} is the pane's index within its window as the write's own grouping
 * saw it (Beam's {@code PaneInfo}), {@code TIMING} {@code early}, {@code on_time}, {@code late} or
 * {@code unknown}.
 */
public final class PaneFileNaming implements FileIO.Write.FileNaming {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private final String suffix;

  private PaneFileNaming(String suffix) {
    this.suffix = suffix;
  }

  /**
   * Names files ending in {@code suffix}, e.g. {@code .json}.
   *
   * @param suffix the file name's ending, with its dot
   * @return the naming
   */
  public static PaneFileNaming withSuffix(String suffix) {
    return new PaneFileNaming(checkArgumentNotNull(suffix, "suffix must not be null"));
  }

  /** The folder of a window under the output directory, with its slash, or "" for none. */
  public static String windowFolder(BoundedWindow window) {
    if (!(window instanceof IntervalWindow)) {
      return "";
    }
    java.time.Instant start =
        java.time.Instant.ofEpochMilli(((IntervalWindow) window).start().getMillis());
    DateTimeFormatter format = start.getEpochSecond() % 60 == 0 ? MINUTE : SECOND;
    return "window=" + format.format(start) + "/";
  }

  @Override
  public String getFilename(
      BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
    return String.format(
        Locale.ROOT,
        "%spane-%d-%s-%05d-of-%05d%s",
        windowFolder(window),
        pane.getIndex(),
        pane.getTiming().name().toLowerCase(Locale.ROOT),
        shardIndex,
        numShards,
        suffix);
  }
}
