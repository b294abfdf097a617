package dev.sluice.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads Parquet files ({@link FileFormat#PARQUET}) row group by row group, decoding each record
 * through {@link RecordDecoder#fromRow}.
 *
 * <p>With {@link RecordDecoder#columns()} set, only those columns are read (a projected read
 * schema), converted to the requested types by {@link ParquetValues#converter}; a requested column
 * the file lacks is null. Without it, every column is read with the file's own types, nested ones
 * included ({@link ParquetFileTypes}). A value that cannot be held by its requested type, or a
 * record the decoder rejects, goes to the dead letter as {@link ParquetValues#describe}; a column
 * whose type cannot be read as requested makes the whole file unreadable.
 */
final class ParquetRecordReader implements dev.sluice.io.RecordReader {
  private static final long serialVersionUID = 1L;

  static final ParquetRecordReader INSTANCE = new ParquetRecordReader();

  private ParquetRecordReader() {}

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public <T> void read(FileSplit split, RecordDecoder<T> decoder, Receiver<T> out)
      throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new SeekableChannelInputFile(split.file()), ParquetReadOptions.builder().build())) {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      Projection projection =
          decoder.columns() == null
              ? Projection.everyColumn(fileSchema)
              : Projection.of(decoder.columns(), fileSchema);
      reader.setRequestedSchema(projection.requested);
      ColumnIOFactory columnIo = new ColumnIOFactory();
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        RecordReader<Group> groups =
            columnIo
                .getColumnIO(projection.requested)
                .getRecordReader(rowGroup, new GroupRecordConverter(projection.requested));
        for (long r = 0, n = rowGroup.getRowCount(); r < n; r++) {
          Group group = groups.read();
          T value;
          try {
            value = decoder.fromRow(projection.row(group));
          } catch (InvalidRecordException | IllegalArgumentException e) {
            out.badRecord(ParquetValues.describe(group), e.getMessage());
            continue;
          }
          out.output(value);
        }
      }
    }
  }

  /** Which columns of a file are read, and how each becomes a value of the output row. */
  private static final class Projection {
    final MessageType requested;
    final Schema schema;

    /** Per output field, its column in {@link #requested}, or -1 when the file has none. */
    final int[] columns;

    /** Per output field with requested types, its converter; null when the file's types rule. */
    final ParquetValues.FromParquet[] converters;

    private Projection(
        MessageType requested,
        Schema schema,
        int[] columns,
        ParquetValues.FromParquet[] converters) {
      this.requested = requested;
      this.schema = schema;
      this.columns = columns;
      this.converters = converters;
    }

    static Projection of(Schema wanted, MessageType fileSchema) {
      List<Type> projected = new ArrayList<>();
      int[] columns = new int[wanted.getFieldCount()];
      ParquetValues.FromParquet[] converters =
          new ParquetValues.FromParquet[wanted.getFieldCount()];
      for (int i = 0; i < wanted.getFieldCount(); i++) {
        Schema.Field field = wanted.getField(i);
        columns[i] = -1;
        if (fileSchema.containsField(field.getName())) {
          Type column = fileSchema.getType(field.getName());
          converters[i] = ParquetValues.converter(field, column);
          columns[i] = projected.size();
          projected.add(column);
        }
      }
      return new Projection(
          new MessageType(fileSchema.getName(), projected), wanted, columns, converters);
    }

    static Projection everyColumn(MessageType fileSchema) {
      int[] columns = new int[fileSchema.getFieldCount()];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = i;
      }
      return new Projection(
          fileSchema,
          ParquetFileTypes.schemaOf(fileSchema),
          columns,
          new ParquetValues.FromParquet[columns.length]);
    }

    Row row(Group group) {
      Object[] values = new Object[columns.length];
      for (int i = 0; i < values.length; i++) {
        int column = columns[i];
        if (column < 0) {
          continue;
        }
        if (converters[i] == null) {
          values[i] = ParquetFileTypes.valueOf(requested.getType(column), group, column);
        } else if (group.getFieldRepetitionCount(column) > 0) {
          values[i] = converters[i].convert(group, column);
        }
      }
      return Row.withSchema(schema).attachValues(values);
    }
  }
}
