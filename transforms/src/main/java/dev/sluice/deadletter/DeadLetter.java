package dev.sluice.deadletter;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;

/**
 * One rejected input record: the original payload, its source, the step that rejected it and the
 * reason.
 *
 * <p>Schema-aware (fields in this order: {@code source}, {@code step}, {@code reason}, {@code
 * payload}), so a {@code PCollection<DeadLetter>} has a deterministic {@code SchemaCoder} and can
 * be written as JSON lines or Parquet like any other output. Every Sluice transform that can reject
 * input returns its dead letters as a {@code PCollection<DeadLetter>} beside its main output, and
 * counts them with a Beam {@code Metrics} counter.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class DeadLetter {

  /** Where the payload came from: a file path or URI, or another description of the source. */
  @SchemaFieldNumber("0")
  public abstract String getSource();

  /** The name of the step that rejected the payload, for example {@code ParseSparkifyEvents}. */
  @SchemaFieldNumber("1")
  public abstract String getStep();

  /** Why the payload was rejected, in one line. */
  @SchemaFieldNumber("2")
  public abstract String getReason();

  /** The original record, unchanged (for text input, the whole line without its terminator). */
  @SchemaFieldNumber("3")
  public abstract String getPayload();

  /**
   * Creates a dead letter.
   *
   * @param source where the payload came from (file path or URI)
   * @param step the step that rejected it
   * @param reason why, in one line
   * @param payload the original record
   * @return the dead letter
   */
  @SchemaCreate
  public static DeadLetter of(String source, String step, String reason, String payload) {
    return new AutoValue_DeadLetter(source, step, reason, payload);
  }
}
