package dev.sluice.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
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
 *       {@code DOUBLE} (also from {@code FLOAT}) and {@code BOOLEAN} from the same Parquet types.
 *   <li><b>The file's own types</b> ({@link #typeOf}, {@link #valueOf}): every column, nested ones
 *       included: groups become rows, {@code LIST} groups and repeated fields arrays, {@code MAP}
 *       groups maps, decimals {@code DECIMAL}, other binaries {@code BYTES}.
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
          long unit = millisDivisor(primitive.getLogicalTypeAnnotation());
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

  /** What an {@code INT64} timestamp's unit is divided by to give milliseconds. */
  private static long millisDivisor(LogicalTypeAnnotation logical) {
    if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
      switch (((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) logical).getUnit()) {
        case MICROS:
          return 1_000;
        case NANOS:
          return 1_000_000;
        default:
          return 1;
      }
    }
    return 1;
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

  /** The Beam schema of every column of a Parquet group, with the file's types, all nullable. */
  static Schema schemaOf(GroupType group) {
    Schema.Builder builder = Schema.builder();
    for (Type field : group.getFields()) {
      builder.addNullableField(field.getName(), typeOf(field));
    }
    return builder.build();
  }

  /** The Beam type of a Parquet field, with the file's own types (nested ones included). */
  static Schema.FieldType typeOf(Type field) {
    if (field.isRepetition(Type.Repetition.REPEATED)) {
      return Schema.FieldType.array(elementType(field).withNullable(true));
    }
    return elementType(field);
  }

  private static Schema.FieldType elementType(Type field) {
    if (field.isPrimitive()) {
      return primitiveType(field.asPrimitiveType());
    }
    GroupType group = field.asGroupType();
    LogicalTypeAnnotation logical = group.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      return Schema.FieldType.array(elementType(listElement(group)).withNullable(true));
    }
    if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
      GroupType entry = group.getType(0).asGroupType();
      return Schema.FieldType.map(
          elementType(entry.getType(0)), elementType(entry.getType(1)).withNullable(true));
    }
    return Schema.FieldType.row(schemaOf(group));
  }

  /** The element of a {@code LIST} group: three-level lists, and the two-level legacy form. */
  private static Type listElement(GroupType list) {
    Type repeated = list.getType(0);
    if (repeated.isPrimitive() || repeated.asGroupType().getFieldCount() != 1) {
      return repeated;
    }
    return repeated.asGroupType().getType(0);
  }

  private static Schema.FieldType primitiveType(PrimitiveType primitive) {
    LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
      return Schema.FieldType.DECIMAL;
    }
    switch (primitive.getPrimitiveTypeName()) {
      case BINARY:
      case FIXED_LEN_BYTE_ARRAY:
        return logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
            ? Schema.FieldType.STRING
            : Schema.FieldType.BYTES;
      case INT32:
        return Schema.FieldType.INT32;
      case INT64:
        return logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
            ? Schema.FieldType.DATETIME
            : Schema.FieldType.INT64;
      case INT96:
        return Schema.FieldType.DATETIME;
      case FLOAT:
        return Schema.FieldType.FLOAT;
      case DOUBLE:
        return Schema.FieldType.DOUBLE;
      case BOOLEAN:
        return Schema.FieldType.BOOLEAN;
      default:
        throw new IllegalArgumentException("unsupported Parquet type " + primitive);
    }
  }

  /**
   * The value of field {@code index} of {@code group}, with the file's own types ({@link #typeOf});
   * null when the field has no value.
   */
  static Object valueOf(Type field, Group group, int index) {
    int count = group.getFieldRepetitionCount(index);
    if (field.isRepetition(Type.Repetition.REPEATED)) {
      List<Object> values = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        values.add(elementValue(field, group, index, i));
      }
      return values;
    }
    return count == 0 ? null : elementValue(field, group, index, 0);
  }

  private static Object elementValue(Type field, Group group, int index, int repetition) {
    if (field.isPrimitive()) {
      return primitiveValue(field.asPrimitiveType(), group, index, repetition);
    }
    GroupType type = field.asGroupType();
    Group value = group.getGroup(index, repetition);
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      Type repeated = type.getType(0);
      Type element = listElement(type);
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < value.getFieldRepetitionCount(0); i++) {
        values.add(
            element == repeated
                ? elementValue(repeated, value, 0, i)
                : valueOf(element, value.getGroup(0, i), 0));
      }
      return values;
    }
    if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
      GroupType entryType = type.getType(0).asGroupType();
      Map<Object, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < value.getFieldRepetitionCount(0); i++) {
        Group entry = value.getGroup(0, i);
        map.put(valueOf(entryType.getType(0), entry, 0), valueOf(entryType.getType(1), entry, 1));
      }
      return map;
    }
    Schema schema = schemaOf(type);
    List<Object> values = new ArrayList<>(type.getFieldCount());
    for (int i = 0; i < type.getFieldCount(); i++) {
      values.add(valueOf(type.getType(i), value, i));
    }
    return Row.withSchema(schema).attachValues(values);
  }

  private static Object primitiveValue(
      PrimitiveType primitive, Group group, int index, int repetition) {
    LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
      int scale = ((LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) logical).getScale();
      switch (primitive.getPrimitiveTypeName()) {
        case INT32:
          return BigDecimal.valueOf(group.getInteger(index, repetition), scale);
        case INT64:
          return BigDecimal.valueOf(group.getLong(index, repetition), scale);
        default:
          return new BigDecimal(
              new BigInteger(group.getBinary(index, repetition).getBytes()), scale);
      }
    }
    switch (primitiveType(primitive).getTypeName()) {
      case STRING:
        return group.getBinary(index, repetition).toStringUsingUTF8();
      case BYTES:
        return group.getBinary(index, repetition).getBytes();
      case INT32:
        return group.getInteger(index, repetition);
      case DATETIME:
        if (primitive.getPrimitiveTypeName() == PrimitiveTypeName.INT96) {
          return Instant.ofEpochMilli(
              Int96Timestamps.toEpochMillis(group.getInt96(index, repetition)));
        }
        return Instant.ofEpochMilli(
            Math.floorDiv(group.getLong(index, repetition), millisDivisor(logical)));
      case INT64:
        return group.getLong(index, repetition);
      case FLOAT:
        return group.getFloat(index, repetition);
      case DOUBLE:
        return group.getDouble(index, repetition);
      default:
        return group.getBoolean(index, repetition);
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
