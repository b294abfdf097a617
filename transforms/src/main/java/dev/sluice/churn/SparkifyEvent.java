package dev.sluice.churn;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One event of a Sparkify-format music-streaming log, as the eventsim simulator writes it and as
 * Udacity's Sparkify data sets hold it.
 *
 * <p>Schema-aware: the schema has the Sparkify columns in Sparkify's (alphabetical) order, so a
 * {@code PCollection<SparkifyEvent>} has a {@code SchemaCoder} and writes to JSON lines or Parquet
 * with the familiar column names. Only {@code page}, {@code ts} and {@code userId} are required;
 * guest and logged-out rows carry only the session fields, and song fields exist only on {@code
 * NextSong} events. Units: {@code ts} and {@code registration} are epoch milliseconds (UTC), {@code
 * length} is seconds. All integral fields are 64-bit, as Spark infers them from JSON.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class SparkifyEvent {

  /** Artist of the song played, on {@code NextSong} events. */
  @SchemaFieldNumber("0")
  public abstract @Nullable String getArtist();

  /**
   * Authentication state: {@code Logged In}, {@code Logged Out}, {@code Guest}, {@code Cancelled}.
   */
  @SchemaFieldNumber("1")
  public abstract @Nullable String getAuth();

  /** The user's first name. */
  @SchemaFieldNumber("2")
  public abstract @Nullable String getFirstName();

  /** The user's gender, {@code M} or {@code F}. */
  @SchemaFieldNumber("3")
  public abstract @Nullable String getGender();

  /** Position of the event in its session, from 0. */
  @SchemaFieldNumber("4")
  public abstract @Nullable Long getItemInSession();

  /** The user's last name. */
  @SchemaFieldNumber("5")
  public abstract @Nullable String getLastName();

  /** Length of the song played, in seconds, on {@code NextSong} events. */
  @SchemaFieldNumber("6")
  public abstract @Nullable Double getLength();

  /** Subscription level: {@code free} or {@code paid}. */
  @SchemaFieldNumber("7")
  public abstract @Nullable String getLevel();

  /** The user's location, e.g. {@code Peoria, IL}. */
  @SchemaFieldNumber("8")
  public abstract @Nullable String getLocation();

  /** HTTP method of the request, {@code GET} or {@code PUT}. */
  @SchemaFieldNumber("9")
  public abstract @Nullable String getMethod();

  /** The page of the event, e.g. {@code NextSong} or {@code Cancellation Confirmation}. */
  @SchemaFieldNumber("10")
  public abstract String getPage();

  /** When the user registered, epoch milliseconds UTC. */
  @SchemaFieldNumber("11")
  public abstract @Nullable Long getRegistration();

  /** Session id; sessions of different users may share an id. */
  @SchemaFieldNumber("12")
  public abstract @Nullable Long getSessionId();

  /** Title of the song played, on {@code NextSong} events. */
  @SchemaFieldNumber("13")
  public abstract @Nullable String getSong();

  /** HTTP status of the request, e.g. 200, 307 or 404. */
  @SchemaFieldNumber("14")
  public abstract @Nullable Long getStatus();

  /** When the event happened, epoch milliseconds UTC. */
  @SchemaFieldNumber("15")
  public abstract long getTs();

  /** The user agent string of the client. */
  @SchemaFieldNumber("16")
  public abstract @Nullable String getUserAgent();

  /** The user's id, a string; {@code ""} on guest and logged-out events. */
  @SchemaFieldNumber("17")
  public abstract String getUserId();

  /** True when the event carries no user id (a guest or logged-out visitor). */
  public final boolean isGuest() {
    return getUserId().isEmpty();
  }

  /** A builder with no field set; {@code page}, {@code ts} and {@code userId} are required. */
  public static Builder builder() {
    return new AutoValue_SparkifyEvent.Builder();
  }

  /** A builder initialised with this event's fields. */
  public abstract Builder toBuilder();

  /** Builder of {@link SparkifyEvent}; {@link #build()} fails if a required field is unset. */
  @AutoValue.Builder
  public abstract static class Builder {
    /** Sets {@link SparkifyEvent#getArtist()}. */
    public abstract Builder setArtist(@Nullable String artist);

    /** Sets {@link SparkifyEvent#getAuth()}. */
    public abstract Builder setAuth(@Nullable String auth);

    /** Sets {@link SparkifyEvent#getFirstName()}. */
    public abstract Builder setFirstName(@Nullable String firstName);

    /** Sets {@link SparkifyEvent#getGender()}. */
    public abstract Builder setGender(@Nullable String gender);

    /** Sets {@link SparkifyEvent#getItemInSession()}. */
    public abstract Builder setItemInSession(@Nullable Long itemInSession);

    /** Sets {@link SparkifyEvent#getLastName()}. */
    public abstract Builder setLastName(@Nullable String lastName);

    /** Sets {@link SparkifyEvent#getLength()}, seconds. */
    public abstract Builder setLength(@Nullable Double length);

    /** Sets {@link SparkifyEvent#getLevel()}. */
    public abstract Builder setLevel(@Nullable String level);

    /** Sets {@link SparkifyEvent#getLocation()}. */
    public abstract Builder setLocation(@Nullable String location);

    /** Sets {@link SparkifyEvent#getMethod()}. */
    public abstract Builder setMethod(@Nullable String method);

    /** Sets {@link SparkifyEvent#getPage()}. */
    public abstract Builder setPage(String page);

    /** Sets {@link SparkifyEvent#getRegistration()}, epoch milliseconds UTC. */
    public abstract Builder setRegistration(@Nullable Long registration);

    /** Sets {@link SparkifyEvent#getSessionId()}. */
    public abstract Builder setSessionId(@Nullable Long sessionId);

    /** Sets {@link SparkifyEvent#getSong()}. */
    public abstract Builder setSong(@Nullable String song);

    /** Sets {@link SparkifyEvent#getStatus()}. */
    public abstract Builder setStatus(@Nullable Long status);

    /** Sets {@link SparkifyEvent#getTs()}, epoch milliseconds UTC. */
    public abstract Builder setTs(long ts);

    /** Sets {@link SparkifyEvent#getUserAgent()}. */
    public abstract Builder setUserAgent(@Nullable String userAgent);

    /** Sets {@link SparkifyEvent#getUserId()}; {@code ""} for a guest. */
    public abstract Builder setUserId(String userId);

    /** Builds the event; throws {@link IllegalStateException} if a required field is unset. */
    public abstract SparkifyEvent build();
  }
}
