package dev.sluice.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
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

  private static final ObjectMapper JSON = new ObjectMapper();

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
      if (projection.isFlat()) {
        FlatRecord flat = new FlatRecord(projection.requested);
        readRecords(
            reader, projection.requested, flat, projection::row, flat::describe, decoder, out);
      } else {
        readRecords(
            reader,
            projection.requested,
            new GroupRecordConverter(projection.requested),
            projection::row,
            ParquetValues::describe,
            decoder,
            out);
      }
    }
  }

  /**
   * Assembles every record of every row group through {@code records}, and gives each decoded value
   * to {@code out}, or the record, as {@code describe} prints it, to its dead letter.
   */
  private static <R, T> void readRecords(
      ParquetFileReader reader,
      MessageType requested,
      RecordMaterializer<R> records,
      Function<R, Row> toRow,
      Function<R, String> describe,
      RecordDecoder<T> decoder,
      Receiver<T> out)
      throws IOException {
    MessageColumnIO columns = new ColumnIOFactory().getColumnIO(requested);
    PageReadStore rowGroup;
    while ((rowGroup = reader.readNextRowGroup()) != null) {
      RecordReader<R> reading = columns.getRecordReader(rowGroup, records);
      for (long r = 0, n = rowGroup.getRowCount(); r < n; r++) {
        R record = reading.read();
        T value;
        try {
          value = decoder.fromRow(toRow.apply(record));
        } catch (InvalidRecordException | IllegalArgumentException e) {
          out.badRecord(describe.apply(record), e.getMessage());
          continue;
        }
        out.output(value);
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

    /**
     * Whether every requested column is a plain primitive read through a converter (no repeated or
     * nested column), so that {@link FlatRecord} can read it without building groups.
     */
    boolean isFlat() {
      for (int i = 0; i < columns.length; i++) {
        if (columns[i] >= 0 && converters[i] == null) {
          return false;
        }
      }
      for (Type column : requested.getFields()) {
        if (!column.isPrimitive() || column.isRepetition(Type.Repetition.REPEATED)) {
          return false;
        }
      }
      return true;
    }

    /** The output row of a flat record's raw values. */
    Row row(Object[] raw) {
      Object[] values = new Object[columns.length];
      for (int i = 0; i < values.length; i++) {
        int column = columns[i];
        if (column >= 0 && raw[column] != null) {
          values[i] = converters[i].convert(raw[column]);
        }
      }
      return Row.withSchema(schema).attachValues(values);
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
          values[i] =
              converters[i].convert(
                  ParquetValues.raw(
                      group,
                      column,
                      requested.getType(column).asPrimitiveType().getPrimitiveTypeName()));
        }
      }
      return Row.withSchema(schema).attachValues(values);
    }
  }

  /**
   * Parquet's record assembly straight into one reused array of raw values, one per column of a
   * flat schema, without the {@code Group} of each record: the values a {@link
   * ParquetValues.FromParquet} takes. Dictionary-encoded BINARY columns are decoded to strings once
   * per dictionary entry. The array is overwritten by the next record.
   */
  private static final class FlatRecord extends RecordMaterializer<Object[]> {
    private final MessageType schema;
    private final Object[] values;
    private final PrimitiveConverter[] columns;
    private final GroupConverter root;

    FlatRecord(MessageType schema) {
      this.schema = schema;
      this.values = new Object[schema.getFieldCount()];
      this.columns = new PrimitiveConverter[values.length];
      for (int i = 0; i < values.length; i++) {
        columns[i] =
            schema.getType(i).asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY
                ? new StringColumn(i)
                : new RawColumn(i);
      }
      this.root =
          new GroupConverter() {
            @Override
            public Converter getConverter(int field) {
              return columns[field];
            }

            @Override
            public void start() {
              Arrays.fill(values, null);
            }

            @Override
            public void end() {}
          };
    }

    @Override
    public Object[] getCurrentRecord() {
      return values;
    }

    @Override
    public GroupConverter getRootConverter() {
      return root;
    }

    /** A record's raw values as one line of JSON, for its dead letter. */
    String describe(Object[] raw) {
      StringBuilder json = new StringBuilder("{");
      for (int i = 0; i < raw.length; i++) {
        if (i > 0) {
          json.append(',');
        }
        json.append(quote(schema.getFieldName(i))).append(':');
        json.append(
            raw[i] == null
                ? "null"
                : quote(
                    raw[i] instanceof String
                        ? (String) raw[i]
                        : ParquetValues.describeRaw(
                            raw[i], schema.getType(i).asPrimitiveType().getPrimitiveTypeName())));
      }
      return json.append('}').toString();
    }

    /** A column whose raw values are kept as parquet gives them. */
    private final class RawColumn extends PrimitiveConverter {
      private final int index;

      RawColumn(int index) {
        this.index = index;
      }

      @Override
      public void addBinary(Binary value) {
        values[index] = value;
      }

      @Override
      public void addLong(long value) {
        values[index] = value;
      }

      @Override
      public void addInt(int value) {
        values[index] = value;
      }

      @Override
      public void addDouble(double value) {
        values[index] = value;
      }

      @Override
      public void addFloat(float value) {
        values[index] = value;
      }

      @Override
      public void addBoolean(boolean value) {
        values[index] = value;
      }
    }

    /** A BINARY column, decoded as UTF-8: once per entry when the column is dictionary-encoded. */
    private final class StringColumn extends PrimitiveConverter {
      private final int index;
      private String[] dictionary = new String[0];

      StringColumn(int index) {
        this.index = index;
      }

      @Override
      public boolean hasDictionarySupport() {
        return true;
      }

      @Override
      public void setDictionary(Dictionary entries) {
        dictionary = new String[entries.getMaxId() + 1];
        for (int id = 0; id < dictionary.length; id++) {
          dictionary[id] = entries.decodeToBinary(id).toStringUsingUTF8();
        }
      }

      @Override
      public void addValueFromDictionary(int id) {
        values[index] = dictionary[id];
      }

      @Override
      public void addBinary(Binary value) {
        values[index] = value.toStringUsingUTF8();
      }
    }
  }

  /** A string as a JSON string literal. */
  private static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
