package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Convert;
import org.apache.beam.sdk.schemas.transforms.Select;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ToJson;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes a schema-aware {@code PCollection<T>} as files in one directory: JSON lines or Parquet.
 * Returns the {@code WriteFilesResult<Void>} of Beam's {@code FileIO.write()}.
 *
 * <p>Files are named {@code DIR/part-SSSSS-of-NNNNN.json} (or {@code .parquet}); the number of
 * shards is chosen by the runner unless {@link #withNumShards(int)} fixes it. Nested rows are
 * flattened to top-level columns that keep their innermost names ({@code event.userId} becomes
 * {@code userId}), so the files look like the flat tables data engineers load elsewhere; two nested
 * fields with the same name fail at construction.
 *
 * <ul>
 *   <li>JSON: one object per line through Beam's {@code ToJson}; fields in schema order, nulls
 *       written as {@code null}, so every line has the same keys in the same order.
 *   <li>Parquet: the Beam schema converted to Avro (nullable fields become {@code [null, T]}
 *       unions) and written with {@code ParquetIO.sink}, Snappy-compressed.
 * </ul>
 *
 * <pre>{@code
 * labelled.apply("WriteLabelled", WriteRecords.to(output + "/labelled").withFormat(FileFormat.JSON));
 * }</pre>
 *
 * @param <T> the element type; its {@code PCollection} must have a schema
 */
public final class WriteRecords<T> extends PTransform<PCollection<T>, WriteFilesResult<Void>> {

  private final String directory;
  private final FileFormat format;
  private final int numShards;

  private WriteRecords(String directory, FileFormat format, int numShards) {
    this.directory = directory;
    this.format = format;
    this.numShards = numShards;
  }

  /**
   * Writes JSON lines into {@code directory} (created if missing) with runner-chosen sharding.
   *
   * @param directory local path or URI of the output directory
   * @param <T> the element type
   * @return the transform
   */
  public static <T> WriteRecords<T> to(String directory) {
    checkArgumentNotNull(directory, "directory must not be null");
    if (directory.isBlank()) {
      throw new IllegalArgumentException("directory must not be blank");
    }
    return new WriteRecords<>(directory, FileFormat.JSON, 0);
  }

  /**
   * Writes already formatted JSON lines ({@code PCollection<String>}, one object per element) into
   * {@code directory}, named like {@link #to} names them ({@code part-SSSSS-of-NNNNN.json}), with
   * runner-chosen sharding.
   *
   * @param directory local path or URI of the output directory
   * @return the transform
   */
  public static PTransform<PCollection<String>, WriteFilesResult<Void>> jsonLines(
      String directory) {
    WriteRecords<String> names = to(directory);
    return new PTransform<PCollection<String>, WriteFilesResult<Void>>() {
      @Override
      public WriteFilesResult<Void> expand(PCollection<String> lines) {
        return lines.apply("WriteJson", names.fileWrite(FileIO.<String>write().via(TextIO.sink())));
      }
    };
  }

  /** Returns a copy that writes {@code format}. */
  public WriteRecords<T> withFormat(FileFormat format) {
    checkArgumentNotNull(format, "format must not be null");
    return new WriteRecords<>(directory, format, numShards);
  }

  /**
   * Returns a copy that writes exactly {@code numShards} files; 0 lets the runner choose.
   *
   * @throws IllegalArgumentException if {@code numShards} is negative
   */
  public WriteRecords<T> withNumShards(int numShards) {
    if (numShards < 0) {
      throw new IllegalArgumentException("numShards must be >= 0, got " + numShards);
    }
    return new WriteRecords<>(directory, format, numShards);
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<T> input) {
    if (!input.hasSchema()) {
      throw new IllegalArgumentException(
          "WriteRecords needs a PCollection with a schema; " + input.getName() + " has none");
    }
    PCollection<Row> rows =
        isFlat(input.getSchema())
            ? input.apply("ToRows", Convert.toRows())
            : input.apply("FlattenRows", Select.<T>flattenedSchema().keepMostNestedFieldName());
    switch (format) {
      case JSON:
        return rows.apply("FormatAsJson", ToJson.of())
            .apply("WriteJson", fileWrite(FileIO.<String>write().via(TextIO.sink())));
      case PARQUET:
        org.apache.avro.Schema avroSchema = AvroUtils.toAvroSchema(rows.getSchema());
        return rows.apply(
                "ToAvro",
                MapElements.into(TypeDescriptor.of(GenericRecord.class))
                    .via(AvroUtils.getRowToGenericRecordFunction(avroSchema)))
            .setCoder(AvroCoder.of(avroSchema))
            .apply(
                "WriteParquet",
                fileWrite(
                    FileIO.<GenericRecord>write()
                        .via(
                            ParquetIO.sink(avroSchema)
                                .withCompressionCodec(CompressionCodecName.SNAPPY))));
      default:
        throw new IllegalStateException("unhandled format " + format);
    }
  }

  private <E> FileIO.Write<Void, E> fileWrite(FileIO.Write<Void, E> write) {
    FileIO.Write<Void, E> named =
        write.to(directory).withPrefix("part").withSuffix(format.suffix());
    return numShards > 0 ? named.withNumShards(numShards) : named;
  }

  private static boolean isFlat(Schema schema) {
    return schema.getFields().stream()
        .noneMatch(f -> f.getType().getTypeName() == Schema.TypeName.ROW);
  }
}
