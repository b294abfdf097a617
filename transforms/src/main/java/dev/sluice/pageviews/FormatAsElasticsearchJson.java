package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Formats page-view rollups as one JSON object per line, ready for Elasticsearch's bulk API: {@code
 * PCollection<PageViewStats>} in, {@code PCollection<String>} out (no newline), windows and
 * timestamps kept.
 *
 * <p>Fields, always in this order:
 *
 * <pre>{@code
 * {"_id": "<url>|<customer>|<ts>", "_index": "events", "customer": "a.com",
 *  "url": "http://a.com/articles/1", "freq": "1hour", "ts": "2017-09-17T10:00:00",
 *  "metrics": {"page_views": 3, "visitors": 2}, "referrers": {"http://bing.com/": 1}}
 * }</pre>
 *
 * <p>With {@link #withPane} a last field names the pane: {@code "pane": {"timing": "LATE", "index":
 * 2}}.
 *
 * <p>{@code ts} is the window start as {@code yyyy-MM-dd'T'HH:mm:ss} in UTC; {@code freq} names the
 * window size ({@code 15min}, {@code 1hour}, {@code 1day}; in general {@code N} followed by {@code
 * day}, {@code hour}, {@code min} or {@code s}, the largest unit that divides it); {@code _index}
 * is {@value #DEFAULT_INDEX} unless {@link #withIndex} says otherwise; {@code referrers} keys are
 * sorted. Separators and escaping are those of Python's {@code json.dumps} ({@code ", "}, {@code ":
 * "}, non-ASCII as {@code \\uXXXX}), so the lines compare byte for byte with the Python and Spark
 * jobs this replaces. Because {@code _id} is the same for every pane of a window, loading late
 * panes as upserts keeps the latest counts.
 */
@AutoValue
public abstract class FormatAsElasticsearchJson
    extends PTransform<PCollection<PageViewStats>, PCollection<String>> {

  /** The default {@code _index}. */
  public static final String DEFAULT_INDEX = "events";

  private static final DateTimeFormatter WINDOW_START =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  /** The {@code _index} of every record. */
  public abstract String index();

  /** Whether each record also names its pane ({@link #withPane}). */
  public abstract boolean pane();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setIndex(String index);

    abstract Builder setPane(boolean pane);

    abstract FormatAsElasticsearchJson build();
  }

  /** Formats with {@code _index} {@value #DEFAULT_INDEX}. */
  public static FormatAsElasticsearchJson create() {
    return new AutoValue_FormatAsElasticsearchJson.Builder()
        .setIndex(DEFAULT_INDEX)
        .setPane(false)
        .build();
  }

  /**
   * Returns a copy that writes {@code index} as {@code _index}.
   *
   * @throws IllegalArgumentException if {@code index} is blank
   */
  public FormatAsElasticsearchJson withIndex(String index) {
    checkArgumentNotNull(index, "index must not be null");
    if (index.isBlank()) {
      throw new IllegalArgumentException("index must not be blank");
    }
    return toBuilder().setIndex(index).build();
  }

  /**
   * Returns a copy that adds, last, the pane the record was output in: {@code "pane": {"timing":
   * "EARLY", "index": 0}}, with timing {@code EARLY}, {@code ON_TIME} or {@code LATE} (or {@code
   * UNKNOWN}) and the pane's index in its window from 0, as Beam's {@code PaneInfo} gives them. A
   * consumer that upserts by {@code _id} keeps the pane of highest index.
   */
  public FormatAsElasticsearchJson withPane() {
    return toBuilder().setPane(true).build();
  }

  @Override
  public PCollection<String> expand(PCollection<PageViewStats> stats) {
    return stats.apply("FormatJsonLines", ParDo.of(new FormatJsonLinesFn(index(), pane())));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("index", index()).withLabel("_index"))
        .add(DisplayData.item("pane", pane()).withLabel("Pane in each record"));
  }

  /**
   * Names a window size as {@code freq}: {@code 1week}, {@code 1day}, {@code 1hour}, {@code 15min},
   * {@code 30s}.
   *
   * @param size a positive duration
   * @return its name
   */
  public static String freq(Duration size) {
    long millis = size.getMillis();
    if (millis % Duration.standardDays(7).getMillis() == 0) {
      return size.getStandardDays() / 7 + "week";
    }
    if (millis % Duration.standardDays(1).getMillis() == 0) {
      return size.getStandardDays() + "day";
    }
    if (millis % Duration.standardHours(1).getMillis() == 0) {
      return size.getStandardHours() + "hour";
    }
    if (millis % Duration.standardMinutes(1).getMillis() == 0) {
      return size.getStandardMinutes() + "min";
    }
    return size.getStandardSeconds() + "s";
  }

  /**
   * Formats one rollup record.
   *
   * @param stats the record
   * @param index the {@code _index}
   * @return one line of JSON, without a newline
   */
  public static String format(PageViewStats stats, String index) {
    return format(stats, index, null);
  }

  /**
   * Formats one rollup record, with its pane when {@code pane} is not null.
   *
   * @param stats the record
   * @param index the {@code _index}
   * @param pane the pane it was output in, or null to leave the pane out
   * @return one line of JSON, without a newline
   */
  public static String format(PageViewStats stats, String index, @Nullable PaneInfo pane) {
    String ts =
        WINDOW_START.format(java.time.Instant.ofEpochMilli(stats.getWindowStart().getMillis()));
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.setPrettyPrinter(PythonSeparators.INSTANCE);
      json.writeStartObject();
      json.writeStringField("_id", stats.getUrl() + "|" + stats.getCustomer() + "|" + ts);
      json.writeStringField("_index", index);
      json.writeStringField("customer", stats.getCustomer());
      json.writeStringField("url", stats.getUrl());
      json.writeStringField(
          "freq", freq(new Duration(stats.getWindowStart(), stats.getWindowEnd())));
      json.writeStringField("ts", ts);
      json.writeObjectFieldStart("metrics");
      json.writeNumberField("page_views", stats.getPageViews());
      json.writeNumberField("visitors", stats.getVisitors());
      json.writeEndObject();
      json.writeObjectFieldStart("referrers");
      for (Map.Entry<String, Long> referrer :
          new java.util.TreeMap<>(stats.getReferrers()).entrySet()) {
        json.writeNumberField(referrer.getKey(), referrer.getValue());
      }
      json.writeEndObject();
      if (pane != null) {
        json.writeObjectFieldStart("pane");
        json.writeStringField("timing", pane.getTiming().name());
        json.writeNumberField("index", pane.getIndex());
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot format " + stats, e);
    }
    return out.toString();
  }

  /**
   * The {@code _id} of a line this transform wrote: its first field, read without parsing the rest.
   *
   * @param line one line of this transform's output
   * @return its {@code _id}
   * @throws IllegalArgumentException if the line does not start with an {@code _id} string
   */
  public static String idOf(String line) {
    try (JsonParser json = JSON.createParser(line)) {
      if (json.nextToken() == JsonToken.START_OBJECT
          && json.nextToken() == JsonToken.FIELD_NAME
          && "_id".equals(json.currentName())
          && json.nextToken() == JsonToken.VALUE_STRING) {
        return json.getText();
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a line of FormatAsElasticsearchJson: " + line, e);
    }
    throw new IllegalArgumentException("not a line of FormatAsElasticsearchJson: " + line);
  }

  /** Python's json.dumps separators: ", " between entries and ": " after a key. */
  static final class PythonSeparators extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;
    static final PythonSeparators INSTANCE = new PythonSeparators();

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }

  /** Formats each record with the configured index. */
  static final class FormatJsonLinesFn extends DoFn<PageViewStats, String> {
    private final String index;
    private final boolean withPane;

    FormatJsonLinesFn(String index, boolean withPane) {
      this.index = index;
      this.withPane = withPane;
    }

    @ProcessElement
    public void processElement(
        @Element PageViewStats stats, PaneInfo pane, OutputReceiver<String> out) {
      out.output(format(stats, index, withPane ? pane : null));
    }
  }
}
