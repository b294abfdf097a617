package dev.sluice.churn;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;

/**
 * A {@link SparkifyEvent} of a known user with its churn labels: {@code churn} (this event is on a
 * churn page) and {@code label} (1 if the user churned, else 0), the two columns of the Sparkify
 * churn preparation.
 *
 * <p>Schema-aware with fields {@code event} (nested), {@code churn}, {@code label}. Written to
 * files by {@code WriteRecords}, it becomes one flat row: {@code churn} and {@code label}, then the
 * Sparkify columns (a flattened schema puts top-level fields before nested ones).
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class LabelledEvent {

  /** The event, unchanged. */
  @SchemaFieldNumber("0")
  public abstract SparkifyEvent getEvent();

  /** True when this event's page is one of the churn pages. */
  @SchemaFieldNumber("1")
  public abstract boolean isChurn();

  /** 1 if the event's user churned (any of their events is on a churn page), else 0. */
  @SchemaFieldNumber("2")
  public abstract int getLabel();

  /**
   * Labels an event.
   *
   * @param event the event of a known user
   * @param churn whether this event is on a churn page
   * @param label 1 if the user churned, else 0
   * @return the labelled event
   * @throws IllegalArgumentException if {@code label} is neither 0 nor 1
   */
  @SchemaCreate
  public static LabelledEvent of(SparkifyEvent event, boolean churn, int label) {
    if (label != 0 && label != 1) {
      throw new IllegalArgumentException("label must be 0 or 1, got " + label);
    }
    return new AutoValue_LabelledEvent(event, churn, label);
  }
}
