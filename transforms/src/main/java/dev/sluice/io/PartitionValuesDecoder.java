package dev.sluice.io;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The decoder of {@link ReadHivePartitioned}: rows of its columns, as a {@link RowDecoder} reads
 * them, completed with the partition values of their file's path ({@link HivePartitions#values})
 * and, if asked, the path itself.
 */
final class PartitionValuesDecoder implements RecordDecoder<Row> {
  private static final long serialVersionUID = 1L;

  private final RowDecoder columns;
  private final Schema output;
  private final List<String> partitionKeys;
  private final @Nullable String sourceFileField;

  /** Per output field, the value where the record has none; null until bound to a file. */
  private final Object @Nullable [] fill;

  PartitionValuesDecoder(
      RowDecoder columns,
      Schema output,
      List<String> partitionKeys,
      @Nullable String sourceFileField) {
    this(columns, output, partitionKeys, sourceFileField, null);
  }

  private PartitionValuesDecoder(
      RowDecoder columns,
      Schema output,
      List<String> partitionKeys,
      @Nullable String sourceFileField,
      Object @Nullable [] fill) {
    this.columns = columns;
    this.output = output;
    this.partitionKeys = partitionKeys;
    this.sourceFileField = sourceFileField;
    this.fill = fill;
  }

  @Override
  public RecordDecoder<Row> forFile(String path) {
    Object[] values = new Object[output.getFieldCount()];
    Map<String, String> partition = HivePartitions.values(path);
    for (String key : partitionKeys) {
      if (partition.containsKey(key)
          && output.getField(key).getType().getTypeName() == Schema.TypeName.STRING) {
        values[output.indexOf(key)] = partition.get(key);
      }
    }
    if (sourceFileField != null) {
      values[output.indexOf(sourceFileField)] = path;
    }
    return new PartitionValuesDecoder(columns, output, partitionKeys, sourceFileField, values);
  }

  @Override
  public Schema columns() {
    return columns.columns();
  }

  @Override
  public Row fromJson(String line) throws InvalidRecordException {
    return complete(columns.fromJson(line));
  }

  @Override
  public Row fromRow(Row row) {
    return complete(row);
  }

  private Row complete(Row row) {
    Object[] values = new Object[output.getFieldCount()];
    for (int i = 0; i < values.length; i++) {
      Object value = i < row.getFieldCount() ? row.getValue(i) : null;
      values[i] = value != null || fill == null ? value : fill[i];
    }
    return Row.withSchema(output).attachValues(values);
  }

  @Override
  public String step() {
    return columns.step();
  }

  @Override
  public Coder<Row> coder(Pipeline pipeline) {
    return RowCoder.of(output);
  }
}
