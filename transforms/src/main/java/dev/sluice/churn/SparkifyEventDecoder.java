package dev.sluice.churn;

import dev.sluice.io.InvalidRecordException;
import dev.sluice.io.RecordDecoder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Decodes Sparkify-format records into {@link SparkifyEvent}s, from any file format Sluice reads:
 * for {@code dev.sluice.io.ReadRecords}.
 *
 * <ul>
 *   <li>JSON lines by {@link ParseSparkifyEvents#parse}, with its rules and reasons.
 *   <li>Columnar files (Parquet, as {@code churn --format=parquet} or Spark's {@code write.parquet}
 *       write it) by the Sparkify column names, reading only those columns: {@code ts}, {@code
 *       registration}, {@code sessionId}, {@code itemInSession} and {@code status} as 64-bit
 *       integers (Parquet {@code INT64} or {@code INT32}, or a {@code DOUBLE} holding a whole
 *       number, as Spark infers {@code registration} from JSON), {@code length} as a double, the
 *       others as strings. Other columns ({@code churn}, {@code label}, ...) are not read. A record
 *       without {@code page}, {@code ts} or {@code userId} is rejected as a JSON line would be
 *       ({@code missing field 'page'}).
 * </ul>
 *
 * <p>Rejected records go to the dead letter with the step {@value ParseSparkifyEvents#STEP}.
 */
public final class SparkifyEventDecoder implements RecordDecoder<SparkifyEvent> {
  private static final long serialVersionUID = 1L;

  /** The Sparkify columns, as {@link SparkifyEvent}'s schema names and types them, all nullable. */
  static final Schema COLUMNS = nullable(eventSchema());

  @Override
  public Schema columns() {
    return COLUMNS;
  }

  @Override
  public SparkifyEvent fromJson(String line) throws InvalidRecordException {
    return ParseSparkifyEvents.parse(line);
  }

  @Override
  public SparkifyEvent fromRow(Row row) throws InvalidRecordException {
    return SparkifyEvent.builder()
        .setArtist(row.getString("artist"))
        .setAuth(row.getString("auth"))
        .setFirstName(row.getString("firstName"))
        .setGender(row.getString("gender"))
        .setItemInSession(row.getInt64("itemInSession"))
        .setLastName(row.getString("lastName"))
        .setLength(row.getDouble("length"))
        .setLevel(row.getString("level"))
        .setLocation(row.getString("location"))
        .setMethod(row.getString("method"))
        .setPage(required(row.getString("page"), "page"))
        .setRegistration(row.getInt64("registration"))
        .setSessionId(row.getInt64("sessionId"))
        .setSong(row.getString("song"))
        .setStatus(row.getInt64("status"))
        .setTs(required(row.getInt64("ts"), "ts"))
        .setUserAgent(row.getString("userAgent"))
        .setUserId(required(row.getString("userId"), "userId"))
        .build();
  }

  private static <T> T required(@Nullable T value, String field) throws InvalidRecordException {
    if (value == null) {
      throw new InvalidRecordException("missing field '" + field + "'");
    }
    return value;
  }

  @Override
  public String step() {
    return ParseSparkifyEvents.STEP;
  }

  @Override
  public Coder<SparkifyEvent> coder(Pipeline pipeline) {
    try {
      return pipeline.getSchemaRegistry().getSchemaCoder(SparkifyEvent.class);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("SparkifyEvent has no schema", e);
    }
  }

  private static Schema eventSchema() {
    try {
      return SchemaRegistry.createDefault().getSchema(SparkifyEvent.class);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("SparkifyEvent has no schema", e);
    }
  }

  private static Schema nullable(Schema schema) {
    Schema.Builder builder = Schema.builder();
    for (Schema.Field field : schema.getFields()) {
      builder.addField(field.withNullable(true));
    }
    return builder.build();
  }
}
