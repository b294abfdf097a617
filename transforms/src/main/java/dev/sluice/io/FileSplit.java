package dev.sluice.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MetadataCoderV2;

/**
 * One unit of reading: a file, its {@link FileFormat}, and the byte range {@code [from, to)} of it
 * to read. A record belongs to the split in which its first byte lies, so the splits of a file read
 * each record exactly once. Non-splittable files (compressed files, Parquet) are one split from 0
 * to their size.
 */
public final class FileSplit implements Serializable {
  private static final long serialVersionUID = 1L;

  private final MatchResult.Metadata file;
  private final FileFormat format;
  private final long from;
  private final long to;

  private FileSplit(MatchResult.Metadata file, FileFormat format, long from, long to) {
    this.file = file;
    this.format = format;
    this.from = from;
    this.to = to;
  }

  /**
   * A split of {@code file}.
   *
   * @param file the file's metadata, as listed
   * @param format how to read it
   * @param from first byte, inclusive
   * @param to last byte, exclusive
   * @return the split
   * @throws IllegalArgumentException unless {@code 0 <= from <= to}
   */
  public static FileSplit of(MatchResult.Metadata file, FileFormat format, long from, long to) {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("bad range [" + from + ", " + to + ") of " + file);
    }
    return new FileSplit(file, format, from, to);
  }

  /** The whole of {@code file}, as one split. */
  public static FileSplit whole(MatchResult.Metadata file, FileFormat format) {
    return of(file, format, 0, file.sizeBytes());
  }

  /** The file's metadata. */
  public MatchResult.Metadata file() {
    return file;
  }

  /** The file's full path or URI. */
  public String path() {
    return file.resourceId().toString();
  }

  /** How the file is read. */
  public FileFormat format() {
    return format;
  }

  /** First byte of the split, inclusive. */
  public long from() {
    return from;
  }

  /** Last byte of the split, exclusive. */
  public long to() {
    return to;
  }

  /** True when this split is the whole file, or its first part. */
  public boolean isFirst() {
    return from == 0;
  }

  /** A deterministic coder of splits. */
  public static Coder<FileSplit> coder() {
    return SplitCoder.INSTANCE;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FileSplit)) {
      return false;
    }
    FileSplit that = (FileSplit) o;
    return file.equals(that.file) && format == that.format && from == that.from && to == that.to;
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, format, from, to);
  }

  @Override
  public String toString() {
    return path() + "[" + from + ", " + to + ") as " + format;
  }

  private static final class SplitCoder extends AtomicCoder<FileSplit> {
    static final SplitCoder INSTANCE = new SplitCoder();
    private static final MetadataCoderV2 METADATA = MetadataCoderV2.of();
    private static final VarLongCoder LONG = VarLongCoder.of();

    @Override
    public void encode(FileSplit split, OutputStream out) throws IOException {
      METADATA.encode(split.file, out);
      LONG.encode((long) split.format.ordinal(), out);
      LONG.encode(split.from, out);
      LONG.encode(split.to, out);
    }

    @Override
    public FileSplit decode(InputStream in) throws IOException {
      MatchResult.Metadata file = METADATA.decode(in);
      FileFormat format = FileFormat.values()[LONG.decode(in).intValue()];
      return new FileSplit(file, format, LONG.decode(in), LONG.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
