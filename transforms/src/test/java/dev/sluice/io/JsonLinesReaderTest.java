package dev.sluice.io;

import static org.junit.Assert.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** {@link JsonLinesReader}: every line read exactly once, whatever the splits, plain or gzip. */
@RunWith(JUnit4.class)
public class JsonLinesReaderTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** Lines as they are, {@code bad} rejected, blank lines reported. */
  private static final class LinesDecoder implements RecordDecoder<String> {
    @Override
    public Schema columns() {
      return null;
    }

    @Override
    public String fromJson(String line) throws InvalidRecordException {
      if (line.equals("bad")) {
        throw new InvalidRecordException("bad line");
      }
      return line;
    }

    @Override
    public String fromRow(Row row) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String step() {
      return "Test";
    }

    @Override
    public Coder<String> coder(Pipeline pipeline) {
      return StringUtf8Coder.of();
    }
  }

  private static final class Collected implements RecordReader.Receiver<String> {
    final List<String> lines = new ArrayList<>();
    final List<String> bad = new ArrayList<>();
    int blank;

    @Override
    public void output(String value) {
      lines.add(value);
    }

    @Override
    public void badRecord(String payload, String reason) {
      bad.add(payload + ": " + reason);
    }

    @Override
    public void blankLine() {
      blank++;
    }
  }

  private static final String TEXT =
      "{\"a\":1}\n{\"b\":2}\r\n\r\n{\"c\":\"é\"}\rbad\n  \n{\"d\":4}\r\n{\"e\":5}";

  private static MatchResult.Metadata metadata(Path file) throws IOException {
    return FileSystems.match(file.toString()).metadata().get(0);
  }

  private static Collected read(List<FileSplit> splits) throws IOException {
    Collected out = new Collected();
    for (FileSplit split : splits) {
      JsonLinesReader.INSTANCE.read(split, new LinesDecoder(), out);
    }
    return out;
  }

  private static List<String> expectedLines() throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new StringReader(TEXT))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank() && !line.equals("bad")) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  @Test
  public void everySplitSizeReadsEveryLineOnce() throws IOException {
    Path file = tmp.getRoot().toPath().resolve("events.json");
    Files.write(file, TEXT.getBytes(StandardCharsets.UTF_8));
    MatchResult.Metadata metadata = metadata(file);
    long size = metadata.sizeBytes();
    for (long splitSize = 1; splitSize <= size; splitSize++) {
      List<FileSplit> splits = new ArrayList<>();
      for (long from = 0; from < size; from += splitSize) {
        splits.add(FileSplit.of(metadata, FileFormat.JSON, from, Math.min(size, from + splitSize)));
      }
      Collected out = read(splits);
      assertEquals("splits of " + splitSize + " bytes", expectedLines(), out.lines);
      assertEquals("splits of " + splitSize + " bytes", List.of("bad: bad line"), out.bad);
      assertEquals("splits of " + splitSize + " bytes", 2, out.blank);
    }
  }

  @Test
  public void aByteOrderMarkAtTheStartIsNotPartOfTheFirstLine() throws IOException {
    Path file = tmp.getRoot().toPath().resolve("bom.json");
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    byte[] withMark = new byte[text.length + 3];
    withMark[0] = (byte) 0xEF;
    withMark[1] = (byte) 0xBB;
    withMark[2] = (byte) 0xBF;
    System.arraycopy(text, 0, withMark, 3, text.length);
    Files.write(file, withMark);
    MatchResult.Metadata metadata = metadata(file);
    for (long splitSize = 1; splitSize <= metadata.sizeBytes(); splitSize += 7) {
      List<FileSplit> splits = new ArrayList<>();
      for (long from = 0; from < metadata.sizeBytes(); from += splitSize) {
        splits.add(
            FileSplit.of(
                metadata, FileFormat.JSON, from, Math.min(metadata.sizeBytes(), from + splitSize)));
      }
      assertEquals("splits of " + splitSize + " bytes", expectedLines(), read(splits).lines);
    }
  }

  /**
   * A line with bytes that are not UTF-8 is rejected with its bytes in base64, in the middle of a
   * buffer and across a buffer's end; a line holding U+FFFD written as valid UTF-8 passes as it is.
   */
  @Test
  public void aLineThatIsNotUtf8IsABadRecordWithItsBytes() throws IOException {
    byte[] invalid = {'{', '"', 'u', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
    String replacement = "{\"u\":\"\uFFFD\"}";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8));
    bytes.write(invalid);
    bytes.write('\n');
    bytes.write((replacement + "\n").getBytes(StandardCharsets.UTF_8));
    // A long line that crosses the reader's 64 KiB buffer, with one malformed byte at its end.
    byte[] longLine = new byte[70_000];
    Arrays.fill(longLine, (byte) 'x');
    longLine[longLine.length - 1] = (byte) 0xFF;
    bytes.write(longLine);
    bytes.write('\n');
    Path file = tmp.getRoot().toPath().resolve("utf8.json");
    Files.write(file, bytes.toByteArray());

    Collected out = read(List.of(FileSplit.whole(metadata(file), FileFormat.JSON)));
    assertEquals(List.of("{\"a\":1}", replacement), out.lines);
    assertEquals(
        List.of(
            "base64:"
                + Base64.getEncoder().encodeToString(invalid)
                + ": "
                + JsonLinesReader.NOT_UTF8,
            "base64:"
                + Base64.getEncoder().encodeToString(longLine)
                + ": "
                + JsonLinesReader.NOT_UTF8),
        out.bad);
  }

  /**
   * Valid characters of 2, 3 and 4 bytes across the reader's 64 KiB buffer boundary are text, not a
   * dead letter: a line is decoded whole, never buffer by buffer.
   */
  @Test
  public void aCharacterAcrossTheBufferBoundaryIsDecodedWhole() throws IOException {
    for (String character : List.of("é", "€", "😀")) {
      byte[] encoded = character.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      // The character's first byte is the buffer's last.
      byte[] head = new byte[64 * 1024 - 1];
      Arrays.fill(head, (byte) 'x');
      bytes.write(head);
      bytes.write(encoded);
      bytes.write('\n');
      Path file = tmp.getRoot().toPath().resolve("boundary.json");
      Files.write(file, bytes.toByteArray());
      Collected out = read(List.of(FileSplit.whole(metadata(file), FileFormat.JSON)));
      assertEquals(
          character, List.of(new String(head, StandardCharsets.US_ASCII) + character), out.lines);
      assertEquals(character, List.of(), out.bad);
    }
  }

  @Test
  public void gzipFilesAreReadWhole() throws IOException {
    Path file = tmp.getRoot().toPath().resolve("events.json.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(TEXT.getBytes(StandardCharsets.UTF_8));
    }
    Collected out = read(List.of(FileSplit.whole(metadata(file), FileFormat.JSON_GZIP)));
    assertEquals(expectedLines(), out.lines);
    assertEquals(2, out.blank);
  }

  @Test
  public void largeFilesAreSplitByThePlan() throws IOException {
    Path file = tmp.getRoot().toPath().resolve("big.json");
    byte[] line = "{\"x\":1}\n".getBytes(StandardCharsets.UTF_8);
    long lines = 1024 / line.length * 2 + 10;
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long i = 0; i < lines; i++) {
        out.write(line);
      }
    }
    FilePlan plan = FilePlan.list(tmp.getRoot().toString(), 1024);
    assertEquals(3, plan.splits().size());
    Collected out = read(plan.splits());
    assertEquals(lines, out.lines.size());
  }
}
