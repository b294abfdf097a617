package dev.sluice.io;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ToJson;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The file formats Sluice reads and writes, and the one place that knows them: which format a file
 * name has ({@link #ofFileName}), how a file of the format is read ({@link #reader()}), and how a
 * {@code PCollection<Row>} is written as files of it ({@link #write}).
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>constant</th><th>{@code --format=}</th><th>file names read</th><th>written as</th></tr>
 *   <tr><td>{@link #JSON}</td><td>{@code json}</td><td>{@code *.json}, {@code *.jsonl}</td>
 *       <td>{@code part-*.json}</td></tr>
 *   <tr><td>{@link #JSON_GZIP}</td><td>{@code json.gz}</td><td>{@code *.json.gz},
 *       {@code *.jsonl.gz}</td><td>{@code part-*.json.gz}</td></tr>
 *   <tr><td>{@link #PARQUET}</td><td>{@code parquet}</td><td>{@code *.parquet}</td>
 *       <td>{@code part-*.parquet}, Snappy</td></tr>
 * </table>
 *
 * <p>JSON lines are one JSON object per line, UTF-8; the two JSON constants share one reader
 * ({@link JsonLinesReader}), which decompresses by the file name as Beam's {@link Compression#AUTO}
 * does, so a {@code .json.bz2} or {@code .json.zst} file read as JSON lines (see {@link FilePlan})
 * is decompressed too. Parquet is read by {@link ParquetRecordReader}: any codec parquet-hadoop
 * reads without a native library (uncompressed, Snappy, gzip, zstd).
 *
 * <p>Adding a format takes one constant here, one {@link RecordReader} and its test: every pipeline
 * finds the format of its input files through {@link #ofFileName} and reads them through {@link
 * ReadRecords} or {@link ReadHivePartitioned}, which ask the constant for its reader.
 */
public enum FileFormat {
  /** One JSON object per line, UTF-8, uncompressed. */
  JSON("json", ".json", List.of(".json", ".jsonl"), Compression.UNCOMPRESSED) {
    @Override
    public RecordReader reader() {
      return JsonLinesReader.INSTANCE;
    }
  },
  /** JSON lines, gzip-compressed. */
  JSON_GZIP("json.gz", ".json.gz", List.of(".json.gz", ".jsonl.gz"), Compression.GZIP) {
    @Override
    public RecordReader reader() {
      return JsonLinesReader.INSTANCE;
    }
  },
  /** Apache Parquet; written Snappy-compressed with one column per (flattened) field. */
  PARQUET("parquet", ".parquet", List.of(".parquet"), Compression.UNCOMPRESSED) {
    @Override
    public RecordReader reader() {
      return ParquetRecordReader.INSTANCE;
    }

    @Override
    public boolean isText() {
      return false;
    }

    @Override
    WriteFilesResult<Void> write(PCollection<Row> rows, Naming naming) {
      org.apache.avro.Schema avroSchema = AvroUtils.toAvroSchema(rows.getSchema());
      return rows.apply(
              "ToAvro",
              MapElements.into(TypeDescriptor.of(GenericRecord.class))
                  .via(AvroUtils.getRowToGenericRecordFunction(avroSchema)))
          .setCoder(AvroCoder.of(avroSchema))
          .apply(
              "WriteParquet",
              naming.apply(
                  FileIO.<GenericRecord>write()
                      .via(
                          ParquetIO.sink(avroSchema)
                              .withCompressionCodec(CompressionCodecName.SNAPPY))));
    }
  };

  private final String optionName;
  private final String suffix;
  private final List<String> readSuffixes;
  private final Compression compression;

  FileFormat(String optionName, String suffix, List<String> readSuffixes, Compression compression) {
    this.optionName = optionName;
    this.suffix = suffix;
    this.readSuffixes = readSuffixes;
    this.compression = compression;
  }

  /** The reader of files of this format. */
  public abstract RecordReader reader();

  /** True for line-oriented text formats, which can also hold lines formatted elsewhere. */
  public boolean isText() {
    return true;
  }

  /** The suffix of the files this format writes, with its dot: {@code .json}, {@code .parquet}. */
  public String suffix() {
    return suffix;
  }

  /** The compression of the files this format writes. */
  public Compression compression() {
    return compression;
  }

  /**
   * The format of a file, from its name: {@code .parquet}; {@code .json.gz} or {@code .jsonl.gz};
   * {@code .json} or {@code .jsonl}. Empty for other names and for names starting with {@code .} or
   * {@code _} ({@code _SUCCESS}, {@code .part-0.crc}), which by Hadoop's and Spark's convention
   * hold no data.
   *
   * @param fileName the name of the file, without its directory
   * @return the format, or empty if the name has none
   */
  public static Optional<FileFormat> ofFileName(String fileName) {
    if (isHidden(fileName)) {
      return Optional.empty();
    }
    String lower = fileName.toLowerCase(Locale.ROOT);
    // Longest suffixes first, so that .json.gz is not taken for a compressed .json.
    for (FileFormat format : List.of(JSON_GZIP, PARQUET, JSON)) {
      for (String readSuffix : format.readSuffixes) {
        if (lower.endsWith(readSuffix)) {
          return Optional.of(format);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * True for file names that hold no data by Hadoop's and Spark's convention: those starting with
   * {@code .} or {@code _} ({@code _SUCCESS}, {@code .part-0.crc}).
   */
  public static boolean isHidden(String fileName) {
    return fileName.startsWith(".") || fileName.startsWith("_");
  }

  /**
   * Parses a format name as users type it on the command line ({@code --format=json}); this is also
   * how Beam's options parser reads a {@code FileFormat} option.
   *
   * @param name {@code json}, {@code json.gz} or {@code parquet}, in any case
   * @return the format
   * @throws IllegalArgumentException for any other name, with the allowed names
   */
  @JsonCreator
  public static FileFormat parse(String name) {
    if (name != null) {
      for (FileFormat format : values()) {
        if (format.optionName.equalsIgnoreCase(name.trim())) {
          return format;
        }
      }
    }
    throw new IllegalArgumentException("unknown format '" + name + "': expected " + optionNames());
  }

  /** The names {@link #parse} accepts, for messages: {@code json, json.gz or parquet}. */
  public static String optionNames() {
    List<String> names =
        Arrays.stream(values()).map(f -> f.optionName).collect(Collectors.toList());
    return String.join(", ", names.subList(0, names.size() - 1))
        + " or "
        + names.get(names.size() - 1);
  }

  /** The name users type: {@code json}, {@code json.gz} or {@code parquet}. */
  @JsonValue
  @Override
  public String toString() {
    return optionName;
  }

  /** Gives a file write its directory, prefix, suffix, compression and sharding. */
  interface Naming {
    <E> FileIO.Write<Void, E> apply(FileIO.Write<Void, E> write);
  }

  /**
   * Writes rows as files of this format; {@code naming} adds the directory and the file names. Text
   * formats write each row as one JSON object through Beam's {@code ToJson}: fields in schema
   * order, nulls as {@code null}.
   */
  WriteFilesResult<Void> write(PCollection<Row> rows, Naming naming) {
    return writeLines(rows.apply("FormatRowsAsJson", ToJson.of()), naming);
  }

  /**
   * Writes lines formatted elsewhere, one per element; only for {@link #isText() text} formats.
   *
   * @throws UnsupportedOperationException for a format that is not text
   */
  WriteFilesResult<Void> writeLines(PCollection<String> lines, Naming naming) {
    if (!isText()) {
      throw new UnsupportedOperationException(this + " files cannot hold lines of text");
    }
    return lines.apply(
        "WriteJson",
        naming.apply(FileIO.<String>write().via(TextIO.sink()).withCompression(compression)));
  }
}
