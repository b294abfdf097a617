package dev.sluice.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

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

  private final Schema schema;
  private final CompressionCodecName codec;
  private final String tempDirectory;
  private final Map<String, FileIO.Sink<GenericRecord>> open = new LinkedHashMap<>();
  private final Map<String, String> paths = new LinkedHashMap<>();

  ParquetBundleWriter(Schema schema, CompressionCodecName codec, String tempDirectory) {
    this.schema = schema;
    this.codec = codec;
    this.tempDirectory = tempDirectory;
  }

  /**
   * Appends a record to {@code partition}'s file ({@code ""} for the root), opened on first use.
   */
  void write(String partition, GenericRecord record) throws IOException {
    FileIO.Sink<GenericRecord> sink = open.get(partition);
    if (sink == null) {
      String path =
          tempDirectory + "/" + (partition.isEmpty() ? "" : partition + "/") + UUID.randomUUID();
      sink = ParquetIO.sink(schema).withCompressionCodec(codec).withRowGroupSize(ROW_GROUP_BYTES);
      sink.open(FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.BINARY));
      open.put(partition, sink);
      paths.put(partition, path);
    }
    sink.write(record);
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
        failure =
            failure == null
                ? new IOException("cannot finish " + paths.get(file.getKey()), e)
                : failure;
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
   * Closes the files of a bundle that failed, quietly; they stay in the temporary directory, which
   * the write's last step deletes.
   */
  void abort() {
    for (FileIO.Sink<GenericRecord> sink : open.values()) {
      try {
        sink.flush();
      } catch (IOException | RuntimeException e) {
        // The bundle failed already; its files are never renamed.
      }
    }
    open.clear();
    paths.clear();
  }
}
