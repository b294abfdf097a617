package dev.sluice.pageviews;

import dev.sluice.io.BeamOutputFile;
import dev.sluice.io.Int96Timestamps;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes page views to one Parquet file, with the columns {@code customer}, {@code url}, {@code
 * referrer} (optional), {@code session_id} and {@code ts}, through Beam's file systems.
 *
 * <p>{@code ts} is written as Spark writes timestamps: an {@code INT64} timestamp in milliseconds
 * (the default) or microseconds, adjusted to UTC, or a legacy {@code INT96}. Not thread-safe; close
 * it to finish the file.
 */
public final class PageViewParquetWriter implements PageViewWriter {

  /** How {@code ts} is stored. */
  public enum TimestampEncoding {
    /** {@code INT64 TIMESTAMP(MILLIS, true)}. */
    MILLIS("int64 ts (TIMESTAMP(MILLIS,true))"),
    /** {@code INT64 TIMESTAMP(MICROS, true)}. */
    MICROS("int64 ts (TIMESTAMP(MICROS,true))"),
    /** {@code INT96}: nanoseconds of the day and Julian day, little-endian. */
    INT96("int96 ts");

    private final String column;

    TimestampEncoding(String column) {
      this.column = column;
    }
  }

  private final ParquetWriter<Group> writer;
  private final SimpleGroupFactory groups;
  private final TimestampEncoding encoding;
  private long rows;

  private PageViewParquetWriter(
      ParquetWriter<Group> writer, MessageType schema, TimestampEncoding encoding) {
    this.writer = writer;
    this.groups = new SimpleGroupFactory(schema);
    this.encoding = encoding;
  }

  /**
   * Opens a new file, replacing any file at {@code path}.
   *
   * @param path local path or URI of the file
   * @param codec the compression codec (UNCOMPRESSED, SNAPPY, GZIP or ZSTD need no native library)
   * @param encoding how {@code ts} is stored
   * @return the writer
   * @throws IOException if the file cannot be created
   */
  public static PageViewParquetWriter open(
      String path, CompressionCodecName codec, TimestampEncoding encoding) throws IOException {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message pageview {\n"
                + "  required binary customer (STRING);\n"
                + "  required binary url (STRING);\n"
                + "  optional binary referrer (STRING);\n"
                + "  required binary session_id (STRING);\n"
                + "  required "
                + encoding.column
                + ";\n"
                + "}");
    ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(BeamOutputFile.of(path))
            .withConf(new Configuration(false))
            .withType(schema)
            .withCompressionCodec(codec)
            .build();
    return new PageViewParquetWriter(writer, schema, encoding);
  }

  @Override
  public void write(PageView view) throws IOException {
    Group row =
        groups
            .newGroup()
            .append("customer", view.getCustomer())
            .append("url", view.getUrl())
            .append("session_id", view.getSessionId());
    if (view.getReferrer() != null) {
      row.append("referrer", view.getReferrer());
    }
    switch (encoding) {
      case MICROS:
        row.append("ts", view.getTs() * 1000L);
        break;
      case INT96:
        row.append("ts", Int96Timestamps.fromEpochMillis(view.getTs()));
        break;
      default:
        row.append("ts", view.getTs());
    }
    writer.write(row);
    rows++;
  }

  /** Rows written so far. */
  public long rows() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
