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

  /**
   * Turns one raw value of a column into the requested Beam type. Raw values are as parquet's
   * column readers give them, by physical type: {@code Binary} (BINARY, FIXED_LEN_BYTE_ARRAY,
   * INT96), {@code Long}, {@code Integer}, {@code Double}, {@code Float}, {@code Boolean}.
   */
  interface FromParquet extends Serializable {
    /**
     * @throws IllegalArgumentException when this value cannot be held by the requested type
     */
    Object convert(Object raw);
  }

  /** The raw value of {@code column} of a group (its first), as {@link FromParquet} takes it. */
  static Object raw(Group group, int column, PrimitiveTypeName physical) {
    switch (physical) {
      case INT64:
        return group.getLong(column, 0);
      case INT32:
        return group.getInteger(column, 0);
      case DOUBLE:
        return group.getDouble(column, 0);
      case FLOAT:
        return group.getFloat(column, 0);
      case BOOLEAN:
        return group.getBoolean(column, 0);
      case INT96:
        return group.getInt96(column, 0);
      default:
        return group.getBinary(column, 0);
    }
  }

  /** A raw value as {@link #describe} prints it: strings as UTF-8, others as Java prints them. */
  static String describeRaw(Object raw, PrimitiveTypeName physical) {
    if (raw instanceof Binary) {
      return physical == PrimitiveTypeName.BINARY
          ? ((Binary) raw).toStringUsingUTF8()
          : java.util.Arrays.toString(((Binary) raw).getBytes());
    }
    return String.valueOf(raw);
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
          return raw -> Instant.ofEpochMilli(Int96Timestamps.toEpochMillis((Binary) raw));
        }
        if (physical == PrimitiveTypeName.INT64) {
          long unit = ParquetTimestamps.millisDivisor(primitive.getLogicalTypeAnnotation());
          return raw -> Instant.ofEpochMilli(Math.floorDiv((Long) raw, unit));
        }
        break;
      case INT64:
        if (physical == PrimitiveTypeName.INT64) {
          return raw -> raw;
        }
        if (physical == PrimitiveTypeName.INT32) {
          return raw -> (long) (Integer) raw;
        }
        if (physical == PrimitiveTypeName.DOUBLE) {
          return raw -> wholeNumber(field, (Double) raw);
        }
        if (physical == PrimitiveTypeName.FLOAT) {
          return raw -> wholeNumber(field, (Float) raw);
        }
        break;
      case INT32:
        if (physical == PrimitiveTypeName.INT32) {
          return raw -> raw;
        }
        break;
      case DOUBLE:
        if (physical == PrimitiveTypeName.DOUBLE) {
          return raw -> raw;
        }
        if (physical == PrimitiveTypeName.FLOAT) {
          return raw -> (double) (Float) raw;
        }
        break;
      case BOOLEAN:
        if (physical == PrimitiveTypeName.BOOLEAN) {
          return raw -> raw;
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
    public Object convert(Object raw) {
      if (raw instanceof String) {
        // Decoded already, once per dictionary entry, by the flat reader.
        return raw;
      }
      Binary value = (Binary) raw;
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
