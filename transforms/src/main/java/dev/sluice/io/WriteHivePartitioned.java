package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.io.IOException;
import java.util.Locale;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes a schema-aware {@code PCollection<T>} as a Hive-partitioned tree of Parquet files, the
 * layout {@link ReadHivePartitioned} and {@link HivePartitionPlan} read back and prune: each record
 * goes to {@code ROOT/PARTITION/part-SSSSS-of-NNNNN.parquet}, where {@code PARTITION} is what
 * {@code partitionOf} gives for its row ({@code year=2018/month=10/day=01}; empty for the root
 * itself). Returns the final paths of the files written, as a {@code PCollection<String>}.
 *
 * <p>The columns are the schema's top-level fields (the schema must be flat), converted to Avro as
 * {@link WriteRecords} converts them and compressed with {@link #withCodec} (zstd by default),
 * through {@code ParquetIO.sink}. Files are written as {@link BundleFiles} writes text: the step
 * that receives the records writes one temporary file per bundle and partition, and a last step
 * renames them all once every bundle is done, so no record is grouped or shuffled to be written
 * (Beam's {@code FileIO} would, on the DirectRunner, group every record by shard in memory). One
 * file per bundle and partition; Parquet holds a row group of each open file in memory until it is
 * full or the bundle ends.
 *
 * <pre>{@code
 * events.apply("WriteEvents",
 *     WriteHivePartitioned.to(output + "/events", byDay).withCodec(CompressionCodecName.ZSTD));
 * }</pre>
 *
 * @param <T> the element type; its {@code PCollection} must have a flat schema
 */
public final class WriteHivePartitioned<T> extends PTransform<PCollection<T>, PCollection<String>> {

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

  /** The root directory of the tree. */
  String root() {
    return root;
  }

  /** The partition path of a row. */
  SerializableFunction<Row, String> partitionOf() {
    return partitionOf;
  }

  /** The Parquet codec. */
  CompressionCodecName codec() {
    return codec;
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
  public PCollection<String> expand(PCollection<T> input) {
    if (!input.hasSchema()) {
      throw new IllegalArgumentException(
          "WriteHivePartitioned needs a PCollection with a schema; "
              + input.getName()
              + " has none");
    }
    if (input.isBounded() != PCollection.IsBounded.BOUNDED) {
      throw new IllegalArgumentException(
          "WriteHivePartitioned writes bounded input; " + input.getName() + " is unbounded");
    }
    String avro = AvroUtils.toAvroSchema(input.getSchema()).toString();
    String temp = BundleFiles.tempDirectory(root);
    return finalizeFiles(
        input.apply(
            "WriteBundles",
            ParDo.of(
                new WriteBundlesFn<>(
                    input.getToRowFunction(),
                    new ParquetBundleWriter.Spec(avro, codec, temp, partitionOf)))),
        root,
        temp);
  }

  /**
   * Writes the records of one bundle, one temporary Parquet file per partition ({@link
   * ParquetBundleWriter}), and gives each as {@code KV<partition, temporary path>} when the bundle
   * ends.
   */
  static final class WriteBundlesFn<T> extends ParquetBundleFn<T> {
    private final SerializableFunction<T, Row> toRow;

    WriteBundlesFn(SerializableFunction<T, Row> toRow, ParquetBundleWriter.Spec spec) {
      super(spec, null);
      this.toRow = toRow;
    }

    @ProcessElement
    public void processElement(@Element T element) throws IOException {
      write(toRow.apply(element));
    }
  }

  /** The steps after the bundles' writes: every temporary file renamed, on one key. */
  static PCollection<String> finalizeFiles(
      PCollection<KV<String, String>> temporaryFiles, String root, String tempDirectory) {
    return temporaryFiles
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
        .apply("IntoOneWindow", Window.into(new GlobalWindows()))
        .apply("OnOneKey", WithKeys.of(0))
        .setCoder(
            KvCoder.of(VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
        .apply("GroupTemporaryFiles", GroupByKey.create())
        .apply(
            "RenameFiles",
            ParDo.of(new BundleFiles.FinalizeFn(root, tempDirectory, FileFormat.PARQUET)));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("root", root).withLabel("Root of the tree"))
        .add(DisplayData.item("codec", codec.name()).withLabel("Parquet codec"));
  }
}
