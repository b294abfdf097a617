package dev.sluice.io;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The Parquet files of one bundle, one temporary file per partition under a {@link BundleFiles}
 * temporary directory ({@code TEMP/PARTITION/UUID}), written through {@code ParquetIO.sink}; {@link
 * #close} gives them as {@code KV<partition, temporary path>} for {@link BundleFiles.FinalizeFn}.
 * Each open file holds its current row group in memory, at most {@value #ROW_GROUP_BYTES} bytes. A
 * bundle that fails is {@link #abort}ed: its files are closed and never given, so never renamed.
 * Not thread-safe.
 */
final class ParquetBundleWriter {
  /** Row group size: 32 MiB, a quarter of Parquet's default, since a bundle may hold many files. */
  static final int ROW_GROUP_BYTES = 32 * 1024 * 1024;

  /** What every bundle of one write shares; serializable, so a {@code DoFn} can hold it. */
  static final class Spec implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String avroSchema;
    private final CompressionCodecName codec;
    private final String tempDirectory;
    private final SerializableFunction<Row, String> partitionOf;

    /**
     * @param avroSchema the records' Avro schema, as JSON
     * @param codec the Parquet codec
     * @param tempDirectory from {@link BundleFiles#tempDirectory}
     * @param partitionOf the partition path of a row ({@code ""} for the root)
     */
    Spec(
        String avroSchema,
        CompressionCodecName codec,
        String tempDirectory,
        SerializableFunction<Row, String> partitionOf) {
      this.avroSchema = avroSchema;
      this.codec = codec;
      this.tempDirectory = tempDirectory;
      this.partitionOf = partitionOf;
    }

    /** A writer for a new bundle; {@code previous}, one whose bundle never finished, is aborted. */
    ParquetBundleWriter open(@Nullable ParquetBundleWriter previous) {
      abort(previous);
      return new ParquetBundleWriter(this);
    }
  }

  private final Spec spec;
  private final Schema schema;
  private final SerializableFunction<Row, GenericRecord> toRecord;
  private final Map<String, FileIO.Sink<GenericRecord>> open = new LinkedHashMap<>();
  private final Map<String, String> paths = new LinkedHashMap<>();

  private ParquetBundleWriter(Spec spec) {
    this.spec = spec;
    this.schema = new Schema.Parser().parse(spec.avroSchema);
    this.toRecord = AvroUtils.getRowToGenericRecordFunction(schema);
  }

  /** Appends a row to its partition's file, opened on first use. */
  void write(Row row) throws IOException {
    String partition = spec.partitionOf.apply(row);
    FileIO.Sink<GenericRecord> sink = open.get(partition);
    if (sink == null) {
      String path =
          spec.tempDirectory
              + "/"
              + (partition.isEmpty() ? "" : partition + "/")
              + UUID.randomUUID();
      sink =
          ParquetIO.sink(schema).withCompressionCodec(spec.codec).withRowGroupSize(ROW_GROUP_BYTES);
      sink.open(FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.BINARY));
      open.put(partition, sink);
      paths.put(partition, path);
    }
    sink.write(toRecord.apply(row));
  }

  /**
   * Finishes every file and gives them as {@code KV<partition, temporary path>}.
   *
   * @throws IOException if a file cannot be finished; the others are closed, and none is given
   */
  List<KV<String, String>> close() throws IOException {
    List<KV<String, String>> written = new ArrayList<>();
    IOException failure = null;
    for (Map.Entry<String, FileIO.Sink<GenericRecord>> file : open.entrySet()) {
      try {
        file.getValue().flush();
        written.add(KV.of(file.getKey(), paths.get(file.getKey())));
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure = new IOException("cannot finish " + paths.get(file.getKey()), e);
        }
      }
    }
    open.clear();
    paths.clear();
    if (failure != null) {
      throw failure;
    }
    return written;
  }

  /**
   * Closes the files of a bundle that failed, quietly (nothing for null); they stay in the
   * temporary directory, which the write's last step deletes.
   */
  static void abort(@Nullable ParquetBundleWriter writer) {
    if (writer == null) {
      return;
    }
    for (FileIO.Sink<GenericRecord> sink : writer.open.values()) {
      try {
        sink.flush();
      } catch (IOException | RuntimeException e) {
        // The bundle failed already; its files are never renamed.
      }
    }
    writer.open.clear();
    writer.paths.clear();
  }
}
