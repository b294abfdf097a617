package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * Decodes records into {@code Row}s of a given schema, whatever the file format: the generic
 * decoder, for pipelines that validate rows themselves.
 *
 * <p>Every field is nullable: a field a record lacks is null. Field types are those {@link
 * ParquetValues#SUPPORTED} names: {@code STRING}, {@code DATETIME}, {@code INT64}, {@code INT32},
 * {@code DOUBLE}, {@code BOOLEAN}. Parquet columns are converted as {@link ParquetValues} says. In
 * JSON lines a {@code DATETIME} is an ISO-8601 string (UTC unless it says otherwise) or epoch
 * milliseconds; a line that is not a JSON object, or has a field of the wrong type, is rejected
 * with the reason ({@code malformed JSON: ...}, {@code field 'ts' must be DATETIME, got BOOLEAN}).
 */
public final class RowDecoder implements RecordDecoder<Row> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter ISO = ISODateTimeFormat.dateTimeParser().withZoneUTC();

  private final Schema schema;
  private final String step;

  private RowDecoder(Schema schema, String step) {
    this.schema = schema;
    this.step = step;
  }

  /**
   * Decodes rows of {@code columns}, every field made nullable.
   *
   * @param columns the fields to read, with their types
   * @param step the step name its dead letters carry
   * @return the decoder
   * @throws IllegalArgumentException if a field's type is not supported
   */
  public static RowDecoder of(Schema columns, String step) {
    checkArgumentNotNull(columns, "columns must not be null");
    checkArgumentNotNull(step, "step must not be null");
    Schema.Builder nullable = Schema.builder();
    for (Schema.Field field : columns.getFields()) {
      if (!ParquetValues.SUPPORTED.contains(field.getType().getTypeName())) {
        throw new IllegalArgumentException(
            "column "
                + field.getName()
                + " has unsupported type "
                + field.getType()
                + "; supported: "
                + ParquetValues.SUPPORTED);
      }
      nullable.addField(field.withNullable(true));
    }
    return new RowDecoder(nullable.build(), step);
  }

  @Override
  public Schema columns() {
    return schema;
  }

  @Override
  public String step() {
    return step;
  }

  @Override
  public Coder<Row> coder(Pipeline pipeline) {
    return RowCoder.of(schema);
  }

  @Override
  public Row fromRow(Row row) {
    return row;
  }

  @Override
  public Row fromJson(String line) throws InvalidRecordException {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new InvalidRecordException("malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRecordException("not a JSON object");
    }
    Object[] values = new Object[schema.getFieldCount()];
    for (int i = 0; i < values.length; i++) {
      Schema.Field field = schema.getField(i);
      JsonNode value = node.get(field.getName());
      values[i] = value == null || value.isNull() ? null : fromJson(field, value);
    }
    return Row.withSchema(schema).attachValues(values);
  }

  private static Object fromJson(Schema.Field field, JsonNode value) throws InvalidRecordException {
    switch (field.getType().getTypeName()) {
      case STRING:
        if (value.isTextual()) {
          return value.textValue();
        }
        break;
      case DATETIME:
        if (value.isIntegralNumber() && value.canConvertToLong()) {
          return Instant.ofEpochMilli(value.longValue());
        }
        if (value.isTextual()) {
          try {
            return ISO.parseDateTime(value.textValue()).toInstant();
          } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(
                "field '" + field.getName() + "' is not an ISO-8601 time: " + value.textValue());
          }
        }
        break;
      case INT64:
        if (value.isIntegralNumber() && value.canConvertToLong()) {
          return value.longValue();
        }
        break;
      case INT32:
        if (value.isIntegralNumber() && value.canConvertToInt()) {
          return value.intValue();
        }
        break;
      case DOUBLE:
        if (value.isNumber()) {
          return value.doubleValue();
        }
        break;
      case BOOLEAN:
        if (value.isBoolean()) {
          return value.booleanValue();
        }
        break;
      default:
        break;
    }
    throw new InvalidRecordException(
        "field '"
            + field.getName()
            + "' must be "
            + field.getType().getTypeName()
            + ", got "
            + value.getNodeType());
  }
}
