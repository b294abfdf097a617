package dev.sluice.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.joda.time.Instant;

/**
 * Every column of a Parquet file as Beam row values, with the file's own types, nested ones
 * included: groups become rows, {@code LIST} groups (three-level, and the two-level legacy form)
 * and repeated fields arrays, {@code MAP} groups maps, decimals {@code DECIMAL}, strings, enums and
 * JSON {@code STRING}, other binaries {@code BYTES}, timestamps and {@code INT96} {@code DATETIME}.
 * This is how a reader that asks for no columns ({@code RecordDecoder.columns()} null) sees a file.
 */
final class ParquetFileTypes {

  private ParquetFileTypes() {}

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
            Math.floorDiv(
                group.getLong(index, repetition), ParquetTimestamps.millisDivisor(logical)));
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
}
