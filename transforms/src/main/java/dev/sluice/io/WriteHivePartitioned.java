package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.util.Locale;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.transforms.Convert;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes a schema-aware {@code PCollection<T>} as a Hive-partitioned tree of Parquet files, the
 * layout {@link ReadHivePartitioned} and {@link HivePartitionPlan} read back and prune: each record
 * goes to {@code ROOT/PARTITION/part-SSSSS-of-NNNNN.parquet}, where {@code PARTITION} is what
 * {@code partitionOf} gives for its row ({@code year=2018/month=10/day=01}; empty for the root
 * itself). Returns the {@code WriteFilesResult<String>} of Beam's {@code FileIO.writeDynamic()},
 * keyed by partition.
 *
 * <p>The columns are the schema's top-level fields (the schema must be flat), converted to Avro as
 * {@link WriteRecords} converts them and compressed with {@link #withCodec} (zstd by default).
 * Files are written as {@code FileIO} writes them: temporary files, then a rename once every bundle
 * is done; the runner chooses the number of files per partition.
 *
 * <pre>{@code
 * events.apply("WriteEvents",
 *     WriteHivePartitioned.to(output + "/events", byDay).withCodec(CompressionCodecName.ZSTD));
 * }</pre>
 *
 * @param <T> the element type; its {@code PCollection} must have a flat schema
 */
public final class WriteHivePartitioned<T>
    extends PTransform<PCollection<T>, WriteFilesResult<String>> {

  private final String root;
  private final SerializableFunction<Row, String> partitionOf;
  private final CompressionCodecName codec;

  private WriteHivePartitioned(
      String root, SerializableFunction<Row, String> partitionOf, CompressionCodecName codec) {
    this.root = root;
    this.partitionOf = partitionOf;
    this.codec = codec;
  }

  /**
   * Writes zstd Parquet under {@code root}.
   *
   * @param root local path or URI of the tree's root directory
   * @param partitionOf the partition path of a record, relative to the root, without leading or
   *     trailing {@code /} ({@code year=2018/month=10/day=01}); empty for the root
   * @throws IllegalArgumentException if {@code root} is blank
   */
  public static <T> WriteHivePartitioned<T> to(
      String root, SerializableFunction<Row, String> partitionOf) {
    checkArgumentNotNull(root, "root must not be null");
    checkArgumentNotNull(partitionOf, "partitionOf must not be null");
    if (root.isBlank()) {
      throw new IllegalArgumentException("root must not be blank");
    }
    return new WriteHivePartitioned<>(root, partitionOf, CompressionCodecName.ZSTD);
  }

  /** Returns a copy that compresses with {@code codec}. */
  public WriteHivePartitioned<T> withCodec(CompressionCodecName codec) {
    checkArgumentNotNull(codec, "codec must not be null");
    return new WriteHivePartitioned<>(root, partitionOf, codec);
  }

  /**
   * Parses a Parquet codec as users type it: {@code zstd}, {@code snappy}, {@code gzip} or {@code
   * none}, in any case.
   *
   * @throws IllegalArgumentException for any other name, with the allowed names
   */
  public static CompressionCodecName codec(String name) {
    switch (String.valueOf(name).trim().toLowerCase(Locale.ROOT)) {
      case "zstd":
        return CompressionCodecName.ZSTD;
      case "snappy":
        return CompressionCodecName.SNAPPY;
      case "gzip":
        return CompressionCodecName.GZIP;
      case "none":
        return CompressionCodecName.UNCOMPRESSED;
      default:
        throw new IllegalArgumentException(
            "unknown codec '" + name + "': expected zstd, snappy, gzip or none");
    }
  }

  @Override
  public WriteFilesResult<String> expand(PCollection<T> input) {
    if (!input.hasSchema()) {
      throw new IllegalArgumentException(
          "WriteHivePartitioned needs a PCollection with a schema; "
              + input.getName()
              + " has none");
    }
    PCollection<Row> rows = input.apply("ToRows", Convert.toRows());
    org.apache.avro.Schema avro = AvroUtils.toAvroSchema(rows.getSchema());
    SerializableFunction<Row, GenericRecord> toRecord =
        AvroUtils.getRowToGenericRecordFunction(avro);
    SerializableFunction<Row, String> partition = partitionOf;
    return rows.apply(
            "ToPartitionedAvro",
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.strings(),
                        org.apache.beam.sdk.values.TypeDescriptor.of(GenericRecord.class)))
                .via((Row row) -> KV.of(partition.apply(row), toRecord.apply(row))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(avro)))
        .apply(
            "WriteParquet",
            FileIO.<String, KV<String, GenericRecord>>writeDynamic()
                .by(KV::getKey)
                .withDestinationCoder(StringUtf8Coder.of())
                .via(Contextful.fn(KV::getValue), ParquetIO.sink(avro).withCompressionCodec(codec))
                .to(root)
                .withNaming(
                    path ->
                        FileIO.Write.defaultNaming(
                            path.isEmpty() ? "part" : path + "/part", ".parquet")));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("root", root).withLabel("Root of the tree"))
        .add(DisplayData.item("codec", codec.name()).withLabel("Parquet codec"));
  }
}
