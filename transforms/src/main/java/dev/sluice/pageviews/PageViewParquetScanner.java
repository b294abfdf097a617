package dev.sluice.pageviews;

import dev.sluice.io.FileSplit;
import dev.sluice.io.Int96Timestamps;
import dev.sluice.io.ParquetTimestamps;
import dev.sluice.io.SeekableChannelInputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads the page-view columns of a Parquet file ({@code customer}, {@code url}, {@code referrer},
 * {@code session_id}, {@code ts}) value by value, with parquet-hadoop's column readers and no
 * record assembly: strings become {@link StringTable} ids, decoded once per dictionary entry of a
 * row group (or once per distinct value of a plain page), and {@code ts} epoch milliseconds from
 * {@code INT64} timestamps of any unit or from {@code INT96}. Only these columns are read.
 *
 * <p>A column the file lacks is null in every row. A column of another type (a string column that
 * is not {@code BINARY}, a {@code ts} that is not {@code INT64} or {@code INT96}, a repeated or
 * nested one) makes the file unreadable: {@link IllegalArgumentException} before any row.
 */
final class PageViewParquetScanner {

  /** The columns read, in this order. */
  static final String[] COLUMNS = {"customer", "url", "referrer", "session_id", "ts"};

  static final int CUSTOMER = 0;
  static final int URL = 1;
  static final int REFERRER = 2;
  static final int SESSION = 3;
  static final int TS = 4;

  /** Receives each row: ids, -1 for null; {@code ts} valid when {@code hasTs}. */
  interface Sink {
    void row(int customer, int url, int referrer, int session, boolean hasTs, long ts);
  }

  private PageViewParquetScanner() {}

  /**
   * Reads every row of the file of {@code split} (Parquet files are one split).
   *
   * @throws IOException if the file cannot be read to its end
   * @throws IllegalArgumentException if a column has a type page views cannot have
   */
  static void scan(FileSplit split, StringTable strings, Sink sink) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            new SeekableChannelInputFile(split.file()), ParquetReadOptions.builder().build())) {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      List<Type> projected = new ArrayList<>();
      int[] columnOf = new int[COLUMNS.length];
      PrimitiveConverter[] converters = new PrimitiveConverter[COLUMNS.length];
      for (int c = 0; c < COLUMNS.length; c++) {
        columnOf[c] = -1;
        if (!fileSchema.containsField(COLUMNS[c])) {
          continue;
        }
        Type column = fileSchema.getType(COLUMNS[c]);
        if (!column.isPrimitive() || column.isRepetition(Type.Repetition.REPEATED)) {
          throw new IllegalArgumentException(
              "column " + COLUMNS[c] + " is not a single primitive value: " + column);
        }
        PrimitiveType primitive = column.asPrimitiveType();
        converters[c] = c == TS ? new TsConverter(primitive) : new IdConverter(strings, primitive);
        columnOf[c] = projected.size();
        projected.add(column);
      }
      MessageType projection = new MessageType(fileSchema.getName(), projected);
      reader.setRequestedSchema(projection);
      List<PrimitiveConverter> byColumn = new ArrayList<>();
      for (int c = 0; c < COLUMNS.length; c++) {
        if (columnOf[c] >= 0) {
          byColumn.add(converters[c]);
        }
      }
      GroupConverter root = new ProjectionConverter(byColumn);
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup, root, projection, createdBy);
        ColumnReader[] readers = new ColumnReader[COLUMNS.length];
        int[] maxDefinition = new int[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
          if (columnOf[c] >= 0) {
            ColumnDescriptor descriptor = projection.getColumns().get(columnOf[c]);
            readers[c] = store.getColumnReader(descriptor);
            maxDefinition[c] = descriptor.getMaxDefinitionLevel();
          }
        }
        IdConverter customer = (IdConverter) converters[CUSTOMER];
        IdConverter url = (IdConverter) converters[URL];
        IdConverter referrer = (IdConverter) converters[REFERRER];
        IdConverter session = (IdConverter) converters[SESSION];
        TsConverter ts = (TsConverter) converters[TS];
        for (long r = 0, n = rowGroup.getRowCount(); r < n; r++) {
          for (int c = 0; c < COLUMNS.length; c++) {
            ColumnReader column = readers[c];
            if (column == null) {
              continue;
            }
            if (column.getCurrentDefinitionLevel() >= maxDefinition[c]) {
              column.writeCurrentValueToConverter();
            } else if (c == TS) {
              ts.present = false;
            } else {
              ((IdConverter) converters[c]).id = -1;
            }
            column.consume();
          }
          sink.row(
              customer == null ? -1 : customer.id,
              url == null ? -1 : url.id,
              referrer == null ? -1 : referrer.id,
              session == null ? -1 : session.id,
              ts != null && ts.present,
              ts == null ? 0 : ts.millis);
        }
      }
    }
  }

  /** The root converter of the projection: one primitive converter per column. */
  private static final class ProjectionConverter extends GroupConverter {
    private final List<PrimitiveConverter> columns;

    ProjectionConverter(List<PrimitiveConverter> columns) {
      this.columns = columns;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      return columns.get(fieldIndex);
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }

  /** A string column as interned ids, each dictionary entry interned once. */
  static final class IdConverter extends PrimitiveConverter {
    private final StringTable strings;
    private Dictionary dictionary;
    private int[] dictionaryIds;
    int id = -1;

    IdConverter(StringTable strings, PrimitiveType column) {
      if (column.getPrimitiveTypeName() != PrimitiveTypeName.BINARY) {
        throw new IllegalArgumentException(
            "column "
                + column.getName()
                + " has Parquet type "
                + column
                + ", which cannot be read as STRING");
      }
      this.strings = strings;
    }

    @Override
    public boolean hasDictionarySupport() {
      return true;
    }

    @Override
    public void setDictionary(Dictionary dictionary) {
      this.dictionary = dictionary;
      this.dictionaryIds = new int[dictionary.getMaxId() + 1];
      java.util.Arrays.fill(dictionaryIds, -1);
    }

    @Override
    public void addValueFromDictionary(int dictionaryId) {
      int interned = dictionaryIds[dictionaryId];
      if (interned < 0) {
        interned = strings.intern(dictionary.decodeToBinary(dictionaryId));
        dictionaryIds[dictionaryId] = interned;
      }
      id = interned;
    }

    @Override
    public void addBinary(Binary value) {
      id = strings.intern(value);
    }
  }

  /** {@code ts} as epoch milliseconds. */
  static final class TsConverter extends PrimitiveConverter {
    private final long divisor;
    boolean present;
    long millis;

    TsConverter(PrimitiveType column) {
      PrimitiveTypeName physical = column.getPrimitiveTypeName();
      if (physical != PrimitiveTypeName.INT64 && physical != PrimitiveTypeName.INT96) {
        throw new IllegalArgumentException(
            "column ts has Parquet type " + column + ", which cannot be read as DATETIME");
      }
      this.divisor = ParquetTimestamps.millisDivisor(column.getLogicalTypeAnnotation());
    }

    @Override
    public void addLong(long value) {
      millis = Math.floorDiv(value, divisor);
      present = true;
    }

    @Override
    public void addBinary(Binary int96) {
      millis = Int96Timestamps.toEpochMillis(int96);
      present = true;
    }
  }
}
