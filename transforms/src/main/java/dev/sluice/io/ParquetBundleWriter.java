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
 * Each open file holds its current row group in memory. Not thread-safe.
 */
final class ParquetBundleWriter {
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
      sink = ParquetIO.sink(schema).withCompressionCodec(codec);
      sink.open(FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.BINARY));
      open.put(partition, sink);
      paths.put(partition, path);
    }
    sink.write(record);
  }

  /** Finishes every file and gives them as {@code KV<partition, temporary path>}. */
  List<KV<String, String>> close() throws IOException {
    List<KV<String, String>> written = new ArrayList<>();
    for (Map.Entry<String, FileIO.Sink<GenericRecord>> file : open.entrySet()) {
      file.getValue().flush();
      written.add(KV.of(file.getKey(), paths.get(file.getKey())));
    }
    open.clear();
    paths.clear();
    return written;
  }
}
