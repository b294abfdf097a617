package dev.sluice.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.Base64;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Reads JSON lines ({@link FileFormat#JSON}, {@link FileFormat#JSON_GZIP}): each non-blank line is
 * one record, decoded by {@link RecordDecoder#fromJson}; a rejected line's dead-letter payload is
 * the line itself. Blank lines hold no record and are reported as such. A line that is not valid
 * UTF-8 is rejected with the reason {@value #NOT_UTF8} and its bytes as the payload, {@code
 * base64:} and their Base64, rather than decoded with replacement characters into a record that
 * would pass altered.
 *
 * <p>The file is decompressed by its name, as Beam's {@link Compression#AUTO} detects it ({@code
 * .gz}, {@code .bz2}, {@code .zst}, {@code .deflate}, ...); a compressed file is read whole. An
 * uncompressed file is splittable: a split reads the lines that start in its byte range.
 */
final class JsonLinesReader implements RecordReader {
  private static final long serialVersionUID = 1L;

  static final JsonLinesReader INSTANCE = new JsonLinesReader();

  /** The dead-letter reason of a line that is not valid UTF-8. */
  static final String NOT_UTF8 = "not UTF-8";

  private JsonLinesReader() {}

  @Override
  public boolean isSplittable() {
    return true;
  }

  @Override
  public <T> void read(FileSplit split, RecordDecoder<T> decoder, Receiver<T> out)
      throws IOException {
    boolean compressed =
        Compression.detect(split.file().resourceId().getFilename()) != Compression.UNCOMPRESSED;
    // Offsets of a compressed file are not those of the listing: it is read to its end.
    long end = compressed ? Long.MAX_VALUE : split.to();
    try (LineReader lines = open(split)) {
      // The first line starts at offset 0, before any byte-order mark, so it is this split's.
      boolean first = split.isFirst() && end > 0;
      if (first) {
        lines.skipByteOrderMark();
      }
      String line;
      while ((first || lines.position() < end) && (line = lines.readLine()) != null) {
        first = false;
        if (line.isBlank()) {
          out.blankLine();
          continue;
        }
        byte[] invalid = lines.invalidUtf8();
        if (invalid != null) {
          out.badRecord("base64:" + Base64.getEncoder().encodeToString(invalid), NOT_UTF8);
          continue;
        }
        T value;
        try {
          value = decoder.fromJson(line);
        } catch (InvalidRecordException e) {
          out.badRecord(line, e.getMessage());
          continue;
        }
        out.output(value);
      }
    }
  }

  /**
   * Opens the split at its first line: the line that starts at or after {@code from}. A line starts
   * at offset 0 or right after a terminator, so the byte before {@code from} tells.
   */
  private static LineReader open(FileSplit split) throws IOException {
    ResourceId file = split.file().resourceId();
    Compression compression = Compression.detect(file.getFilename());
    ReadableByteChannel channel = RetryingChannel.open(file);
    if (compression != Compression.UNCOMPRESSED) {
      if (!split.isFirst()) {
        channel.close();
        throw new IOException("a compressed file cannot be read from offset " + split.from());
      }
      return new LineReader(stream(compression.readDecompressed(channel)), 0);
    }
    if (split.isFirst()) {
      return new LineReader(stream(channel), 0);
    }
    if (!(channel instanceof SeekableByteChannel)) {
      channel.close();
      throw new IOException("the file system cannot seek in " + file);
    }
    ((SeekableByteChannel) channel).position(split.from() - 1);
    LineReader lines = new LineReader(stream(channel), split.from() - 1);
    int previous = lines.read();
    if (previous == '\r' && lines.peek() == '\n') {
      lines.read();
    } else if (previous != '\n' && previous != '\r') {
      lines.skipLine();
    }
    return lines;
  }

  private static InputStream stream(ReadableByteChannel channel) {
    return Channels.newInputStream(channel);
  }
}
