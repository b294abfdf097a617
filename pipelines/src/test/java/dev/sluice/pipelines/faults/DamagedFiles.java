package dev.sluice.pipelines.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes the damaged files a real input folder meets: an interrupted upload (Parquet or gzip cut
 * short), a text file named {@code .parquet}, a zero-byte file, Parquet with the wrong schema and a
 * JSON-lines file with bytes that are not UTF-8. Each method writes one file and returns its path.
 */
public final class DamagedFiles {

  /** The line of {@link #withInvalidUtf8} that is not UTF-8: ASCII around the bytes FF FE. */
  public static final byte[] INVALID_UTF8_LINE = {
    '{', '"', 'u', 'r', 'l', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'
  };

  private DamagedFiles() {}

  /** The first half of {@code good}'s bytes, as an upload stopped halfway leaves it. */
  public static Path cutInHalf(Path good, Path file) throws IOException {
    byte[] whole = Files.readAllBytes(good);
    return Files.write(file, Arrays.copyOf(whole, whole.length / 2));
  }

  /** A text file with a Parquet name. */
  public static Path textNamedParquet(Path file) throws IOException {
    return Files.write(file, "this is a text file, not Parquet\n".getBytes(StandardCharsets.UTF_8));
  }

  /** A file of zero bytes. */
  public static Path zeroBytes(Path file) throws IOException {
    return Files.write(file, new byte[0]);
  }

  /** The gzip of {@code lines}, cut in half. */
  public static Path gzipCutMidStream(List<String> lines, Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
      for (String line : lines) {
        gzip.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] whole = bytes.toByteArray();
    return Files.write(file, Arrays.copyOf(whole, whole.length / 2));
  }

  /** {@code lines} as JSON lines with {@link #INVALID_UTF8_LINE} after the first of them. */
  public static Path withInvalidUtf8(List<String> lines, Path file) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      bytes.write((lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
      if (i == 0) {
        bytes.write(INVALID_UTF8_LINE);
        bytes.write('\n');
      }
    }
    return Files.write(file, bytes.toByteArray());
  }

  /**
   * A Parquet file with {@code schema} (parquet-hadoop's text form) and one record per map, each
   * value appended by its Java type (String, Long, Integer, Double, Boolean).
   */
  public static Path parquet(String schema, List<Map<String, Object>> records, Path file)
      throws IOException {
    MessageType type = MessageTypeParser.parseMessageType(schema);
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration())
            .withType(type)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (Map<String, Object> record : records) {
        Group group = groups.newGroup();
        record.forEach(append(group));
        writer.write(group);
      }
    }
    return file;
  }

  private static BiConsumer<String, Object> append(Group group) {
    return (name, value) -> {
      if (value instanceof String) {
        group.append(name, (String) value);
      } else if (value instanceof Long) {
        group.append(name, (Long) value);
      } else if (value instanceof Integer) {
        group.append(name, (Integer) value);
      } else if (value instanceof Double) {
        group.append(name, (Double) value);
      } else if (value instanceof Boolean) {
        group.append(name, (Boolean) value);
      } else if (value != null) {
        throw new IllegalArgumentException(name + ": " + value.getClass());
      }
    };
  }
}
