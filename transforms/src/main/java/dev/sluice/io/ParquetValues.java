package dev.sluice.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.joda.time.Instant;

/**
 * Conversions from Parquet values, as parquet-hadoop's example {@link Group}s hold them, to Beam
 * row values. Two modes:
 *
 * <ul>
 *   <li><b>Requested types</b> ({@link #converter}): a column read as the Beam type a caller asks
 *       for, one of {@link #SUPPORTED}. {@code STRING} from Parquet strings; {@code DATETIME} from
 *       {@code INT64} timestamps in milliseconds, microseconds or nanoseconds (a plain {@code
 *       INT64} is taken as epoch milliseconds) and from {@code INT96} (as Spark and Hive write it);
 *       {@code INT64} from {@code INT64}, {@code INT32}, and from {@code DOUBLE} or {@code FLOAT}
 *       holding a whole number (as Spark infers {@code 1540991795796.0} from JSON); {@code INT32},
 *       {@code DOUBLE} (also from {@code FLOAT}) and {@code BOOLEAN} from the same Parquet types. *
 * </ul>
 */
final class ParquetValues {

  /** The Beam types a column can be requested as. */
  static final Set<Schema.TypeName> SUPPORTED =
      Set.of(
          Schema.TypeName.STRING,
          Schema.TypeName.DATETIME,
          Schema.TypeName.INT64,
          Schema.TypeName.INT32,
          Schema.TypeName.DOUBLE,
          Schema.TypeName.BOOLEAN);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ParquetValues() {}

  /** Reads one value of a column from a Parquet group, as the requested Beam type. */
  interface FromParquet extends Serializable {
    /**
     * @throws IllegalArgumentException when this value cannot be held by the requested type
     */
    Object convert(Group group, int column);
  }

  /**
   * The converter that reads {@code column} as {@code field}'s type.
   *
   * @throws IllegalArgumentException when the column's type cannot be read as that type
   */
  static FromParquet converter(Schema.Field field, Type column) {
    if (!column.isPrimitive()) {
      throw new IllegalArgumentException("column " + field.getName() + " is not a primitive");
    }
    PrimitiveType primitive = column.asPrimitiveType();
    PrimitiveTypeName physical = primitive.getPrimitiveTypeName();
    switch (field.getType().getTypeName()) {
      case STRING:
        if (physical == PrimitiveTypeName.BINARY) {
          return new SharedStrings();
        }
        break;
      case DATETIME:
        if (physical == PrimitiveTypeName.INT96) {
          return (g, c) -> Instant.ofEpochMilli(Int96Timestamps.toEpochMillis(g.getInt96(c, 0)));
        }
        if (physical == PrimitiveTypeName.INT64) {
          long unit = ParquetTimestamps.millisDivisor(primitive.getLogicalTypeAnnotation());
          return (g, c) -> Instant.ofEpochMilli(Math.floorDiv(g.getLong(c, 0), unit));
        }
        break;
      case INT64:
        if (physical == PrimitiveTypeName.INT64) {
          return (g, c) -> g.getLong(c, 0);
        }
        if (physical == PrimitiveTypeName.INT32) {
          return (g, c) -> (long) g.getInteger(c, 0);
        }
        if (physical == PrimitiveTypeName.DOUBLE) {
          return (g, c) -> wholeNumber(field, g.getDouble(c, 0));
        }
        if (physical == PrimitiveTypeName.FLOAT) {
          return (g, c) -> wholeNumber(field, g.getFloat(c, 0));
        }
        break;
      case INT32:
        if (physical == PrimitiveTypeName.INT32) {
          return (g, c) -> g.getInteger(c, 0);
        }
        break;
      case DOUBLE:
        if (physical == PrimitiveTypeName.DOUBLE) {
          return (g, c) -> g.getDouble(c, 0);
        }
        if (physical == PrimitiveTypeName.FLOAT) {
          return (g, c) -> (double) g.getFloat(c, 0);
        }
        break;
      case BOOLEAN:
        if (physical == PrimitiveTypeName.BOOLEAN) {
          return (g, c) -> g.getBoolean(c, 0);
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException(
        "column "
            + field.getName()
            + " has Parquet type "
            + primitive
            + ", which cannot be read as "
            + field.getType().getTypeName());
  }

  private static long wholeNumber(Schema.Field field, double value) {
    if (value != Math.rint(value) || Math.abs(value) >= 0x1p63) {
      throw new IllegalArgumentException(
          "field '" + field.getName() + "' must be an integer, got " + value);
    }
    return (long) value;
  }

  /**
   * Strings of one column of one file, decoded once per distinct value while the column has few
   * (customer, url, referrer): rows then share one {@code String} per value instead of holding a
   * copy each, which cuts decoding and, where a runner keeps many rows in memory (the
   * DirectRunner), the heap. A column with more than {@value #MAX_SHARED} distinct values (session
   * ids) stops being cached and is decoded per row.
   */
  static final class SharedStrings implements FromParquet {
    static final int MAX_SHARED = 4_096;
    private static final long serialVersionUID = 1L;
    private final transient Map<Binary, String> strings = new HashMap<>();

    @Override
    public Object convert(Group group, int column) {
      Binary value = group.getBinary(column, 0);
      String string = strings.get(value);
      if (string == null) {
        string = value.toStringUsingUTF8();
        if (strings.size() < MAX_SHARED) {
          strings.put(value.copy(), string);
        }
      }
      return string;
    }
  }

  /**
   * A Parquet record as one line of JSON, field by field as parquet-hadoop prints values: the
   * dead-letter payload of a record that could not be decoded.
   */
  static String describe(Group group) {
    ObjectNode node = MAPPER.createObjectNode();
    GroupType type = group.getType();
    for (int i = 0; i < type.getFieldCount(); i++) {
      if (group.getFieldRepetitionCount(i) == 0) {
        node.putNull(type.getFieldName(i));
      } else {
        node.put(type.getFieldName(i), group.getValueToString(i, 0));
      }
    }
    return node.toString();
  }
}
