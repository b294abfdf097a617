package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkStateNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.ReadableInstant;

/**
 * Turns page-view rows into {@link PageView}s: {@code PCollection<Row>} with the columns of {@link
 * #COLUMNS} in, a {@code WithFailures.Result} out of {@code PCollection<PageView>} and {@code
 * PCollection<DeadLetter>}.
 *
 * <p>A row whose {@code ts}, {@code customer}, {@code url} or {@code session_id} is null goes to
 * the dead letter with the reason ({@code null ts}, ...) and the row as a JSON object, and is
 * counted as {@value #INVALID_PAGE_VIEWS}; the others are counted as {@value #PAGE_VIEWS}. A null
 * {@code referrer} is valid (a direct visit). Windows and timestamps are kept.
 */
@AutoValue
public abstract class ToPageViews
    extends PTransform<PCollection<Row>, WithFailures.Result<PCollection<PageView>, DeadLetter>> {

  /** The columns page views are read from, as a reader's schema: ts is a UTC instant. */
  public static final Schema COLUMNS =
      Schema.builder()
          .addNullableField("customer", Schema.FieldType.STRING)
          .addNullableField("url", Schema.FieldType.STRING)
          .addNullableField("referrer", Schema.FieldType.STRING)
          .addNullableField("session_id", Schema.FieldType.STRING)
          .addNullableField("ts", Schema.FieldType.DATETIME)
          .build();

  /**
   * Optional column with the path of the row's file (see {@code
   * ReadHivePartitioned.withSourceFileField}); it becomes the dead letter's source.
   */
  public static final String SOURCE_FILE = "source_file";

  /** Step name written into dead letters. */
  public static final String STEP = "ToPageViews";

  /** Counter of valid page views. */
  public static final String PAGE_VIEWS = "page_views";

  /** Counter of rows sent to the dead letter. */
  public static final String INVALID_PAGE_VIEWS = "invalid_page_views";

  private static final TupleTag<PageView> VIEWS = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  /** Creates the transform. */
  public static ToPageViews create() {
    return new AutoValue_ToPageViews();
  }

  @Override
  public WithFailures.Result<PCollection<PageView>, DeadLetter> expand(PCollection<Row> rows) {
    PCollectionTuple views =
        rows.apply(
            "ValidatePageViews",
            ParDo.of(new ValidatePageViewsFn()).withOutputTags(VIEWS, TupleTagList.of(FAILURES)));
    return WithFailures.Result.of(views.get(VIEWS), views.get(FAILURES));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(
        DisplayData.item("requiredColumns", "ts, customer, url, session_id")
            .withLabel("Null sends a row to the dead letter"));
  }

  /**
   * The first required column that is null in {@code row}, in the order ts, customer, url,
   * session_id, or null when the row is a valid page view.
   */
  static @Nullable String missingField(Row row) {
    ReadableInstant ts = row.getDateTime("ts");
    return ts == null
        ? "ts"
        : row.getString("customer") == null
            ? "customer"
            : row.getString("url") == null
                ? "url"
                : row.getString("session_id") == null ? "session_id" : null;
  }

  /** The page view of a row whose {@link #missingField} is null. */
  static PageView toPageView(Row row) {
    return PageView.of(
        checkStateNotNull(row.getString("customer")),
        checkStateNotNull(row.getString("url")),
        row.getString("referrer"),
        checkStateNotNull(row.getString("session_id")),
        checkStateNotNull(row.getDateTime("ts")).getMillis());
  }

  /** Validates one row. */
  static final class ValidatePageViewsFn extends DoFn<Row, PageView> {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Counter valid = Metrics.counter(ToPageViews.class, PAGE_VIEWS);
    private final Counter invalid = Metrics.counter(ToPageViews.class, INVALID_PAGE_VIEWS);

    @ProcessElement
    public void processElement(@Element Row row, MultiOutputReceiver out) {
      String missing = missingField(row);
      if (missing != null) {
        invalid.inc();
        out.get(FAILURES).output(DeadLetter.of(source(row), STEP, "null " + missing, json(row)));
        return;
      }
      valid.inc();
      out.get(VIEWS).output(toPageView(row));
    }

    private static String source(Row row) {
      String file = row.getSchema().hasField(SOURCE_FILE) ? row.getString(SOURCE_FILE) : null;
      return file == null ? "unknown" : file;
    }

    private static String json(Row row) {
      ObjectNode node = MAPPER.createObjectNode();
      for (Schema.Field field : row.getSchema().getFields()) {
        if (field.getName().equals(SOURCE_FILE)) {
          continue;
        }
        Object value = row.getValue(field.getName());
        if (value == null) {
          node.putNull(field.getName());
        } else {
          node.put(field.getName(), value.toString());
        }
      }
      return node.toString();
    }
  }
}
