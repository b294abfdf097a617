package dev.sluice.pageviews;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaCreate;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One page view of a web-analytics event log: which customer's site, which url, where the visitor
 * came from, the visitor's session and when (epoch milliseconds, UTC).
 *
 * <p>Schema-aware, fields {@code customer}, {@code url}, {@code referrer} (nullable), {@code
 * sessionId}, {@code ts}; the {@code SchemaCoder} is compact and deterministic.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class PageView {

  /** The customer (site) the page belongs to, e.g. {@code a.com}. */
  @SchemaFieldNumber("0")
  public abstract String getCustomer();

  /** The url viewed. */
  @SchemaFieldNumber("1")
  public abstract String getUrl();

  /** The referring url, or null when there is none. */
  @SchemaFieldNumber("2")
  public abstract @Nullable String getReferrer();

  /** The visitor's session id. */
  @SchemaFieldNumber("3")
  public abstract String getSessionId();

  /** When the page was viewed, epoch milliseconds UTC. */
  @SchemaFieldNumber("4")
  public abstract long getTs();

  /** {@link #getTs()} as an instant: the event time of this view. */
  public final Instant eventTime() {
    return Instant.ofEpochMilli(getTs());
  }

  /**
   * Creates a page view.
   *
   * @param customer the customer, not null
   * @param url the url, not null
   * @param referrer the referrer, or null
   * @param sessionId the session id, not null
   * @param ts epoch milliseconds UTC
   * @return the page view
   */
  @SchemaCreate
  public static PageView of(
      String customer, String url, @Nullable String referrer, String sessionId, long ts) {
    return new AutoValue_PageView(customer, url, referrer, sessionId, ts);
  }
}
