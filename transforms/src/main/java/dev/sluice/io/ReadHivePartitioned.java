package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Reads a Hive-style partitioned tree of Parquet or JSON-lines files into rows: {@code PBegin} in,
 * a {@code WithFailures.Result} out whose {@code output()} is a {@code PCollection<Row>} and whose
 * {@code failures()} is the {@code PCollection<DeadLetter>} of unreadable files and records.
 *
 * <p>The tree is {@code ROOT/key=value/.../file}, e.g. {@code
 * ROOT/year=2017/month=09/day=17/hour=10/customer=a.com/part-0.parquet}, listed and pruned once by
 * a {@link HivePartitionPlan}; each data file is read in its {@link FileFormat} and decoded by a
 * {@link RowDecoder} of the given columns (Parquet reads project to them). The output schema is the
 * given columns, all nullable, followed by the requested partition keys that are not columns, as
 * nullable strings, and the {@link #withSourceFileField source file} if asked. Each row gets its
 * file's partition values (the strings of the path, zero padding kept); a string column that is
 * also a partition key takes the file's value, and the partition value only where the file has
 * none.
 *
 * <p>Errors are those of {@link ReadRecords}: a rejected record gives a dead letter with the
 * record, a file that cannot be read to the end one with its path; both carry the step {@value
 * #STEP}. Rows are not checked for nulls: that is the caller's rule to apply. Counters are {@link
 * ReadRecords}'s. Output is in the global window.
 *
 * <pre>{@code
 * Schema columns = Schema.builder().addNullableStringField("url")
 *     .addNullableField("ts", Schema.FieldType.DATETIME).build();
 * WithFailures.Result<PCollection<Row>, DeadLetter> rows = p.apply("ReadPageViews",
 *     ReadHivePartitioned.from("s3://logs/pageviews", columns).withPartitionKeys("customer"));
 * }</pre>
 */
@AutoValue
public abstract class ReadHivePartitioned
    extends PTransform<PBegin, WithFailures.Result<PCollection<Row>, DeadLetter>> {

  /** Step name written into dead letters. */
  public static final String STEP = "ReadHivePartitioned";

  /** The files to read: the tree's listing, pruned by the time range. */
  public abstract HivePartitionPlan plan();

  /** The columns to read, all nullable. */
  public abstract Schema columns();

  /** The partition keys added to each row. */
  public abstract List<String> partitionKeys();

  /** The field holding each row's file path, or null. */
  public abstract @Nullable String sourceFileField();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setPlan(HivePartitionPlan plan);

    abstract Builder setColumns(Schema columns);

    abstract Builder setPartitionKeys(List<String> keys);

    abstract Builder setSourceFileField(@Nullable String field);

    abstract ReadHivePartitioned build();
  }

  /**
   * Lists the tree under {@code root} now and reads {@code columns} from every data file in it.
   *
   * @param root the root of the tree: local path or URI
   * @param columns the columns to read, with their types (all are read as nullable)
   * @return the transform
   * @throws IllegalArgumentException if {@code root} is blank, cannot be listed or holds no data
   *     file, or a column type is not supported
   */
  public static ReadHivePartitioned from(String root, Schema columns) {
    return of(HivePartitionPlan.list(root), columns);
  }

  /**
   * Reads {@code columns} from the files of {@code plan}.
   *
   * @throws IllegalArgumentException if a column type is not supported
   */
  public static ReadHivePartitioned of(HivePartitionPlan plan, Schema columns) {
    checkArgumentNotNull(plan, "plan must not be null");
    return new AutoValue_ReadHivePartitioned.Builder()
        .setPlan(plan)
        .setColumns(RowDecoder.of(columns, STEP).columns())
        .setPartitionKeys(List.of())
        .build();
  }

  /** Returns a copy that adds these partition keys to each row (as nullable strings). */
  public ReadHivePartitioned withPartitionKeys(String... keys) {
    return toBuilder().setPartitionKeys(List.of(keys)).build();
  }

  /**
   * Returns a copy that adds the path of each row's file as a last string field named {@code
   * field}, as Spark's {@code input_file_name()} does, so later steps can say where a bad row came
   * from.
   */
  public ReadHivePartitioned withSourceFileField(String field) {
    checkArgumentNotNull(field, "field must not be null");
    return toBuilder().setSourceFileField(field).build();
  }

  /**
   * Returns a copy that prunes partitions whose time span misses {@code [from, to)}, from the same
   * listing; a null bound is open. Rows are not filtered: a kept partition may hold rows outside
   * the range.
   *
   * @throws IllegalArgumentException if both are set and {@code from} is not before {@code to}
   */
  public ReadHivePartitioned withTimeRange(@Nullable Instant from, @Nullable Instant to) {
    return toBuilder().setPlan(plan().withTimeRange(from, to)).build();
  }

  /** The schema of the output rows: the columns, then the partition keys that are not columns. */
  public Schema outputSchema() {
    Schema.Builder builder = Schema.builder().addFields(columns().getFields());
    for (String key : partitionKeys()) {
      if (!columns().hasField(key)) {
        builder.addNullableField(key, Schema.FieldType.STRING);
      }
    }
    if (sourceFileField() != null) {
      builder.addNullableField(sourceFileField(), Schema.FieldType.STRING);
    }
    return builder.build();
  }

  @Override
  public WithFailures.Result<PCollection<Row>, DeadLetter> expand(PBegin input) {
    PartitionValuesDecoder decoder =
        new PartitionValuesDecoder(
            RowDecoder.of(columns(), STEP), outputSchema(), partitionKeys(), sourceFileField());
    return ReadRecords.read(
        input, "ListPartitionedFiles", plan().filePlan().splits(), decoder, STEP);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("root", plan().root()).withLabel("Tree root"))
        .add(DisplayData.item("columns", String.join(", ", columns().getFieldNames())))
        .add(DisplayData.item("partitionKeys", String.join(", ", partitionKeys())))
        .add(DisplayData.item("partitions", plan().partitions()).withLabel("Partitions"))
        .add(
            DisplayData.item("prunedPartitions", plan().prunedPartitions())
                .withLabel("Partitions pruned"))
        .add(DisplayData.item("files", plan().files().size()).withLabel("Files to read"))
        .add(DisplayData.item("bytes", plan().bytes()).withLabel("Bytes to read"))
        .addIfNotNull(
            DisplayData.item("from", plan().from() == null ? null : plan().from().toString())
                .withLabel("Time range from"))
        .addIfNotNull(
            DisplayData.item("to", plan().to() == null ? null : plan().to().toString())
                .withLabel("Time range to"));
  }
}
