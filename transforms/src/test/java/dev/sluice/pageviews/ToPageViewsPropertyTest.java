package dev.sluice.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.testing.DoFnCall;
import dev.sluice.testing.Texts;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * Property: {@link ToPageViews}' DoFn turns every row of the page-view columns into exactly one
 * outcome and never throws. A row whose {@code ts}, {@code customer}, {@code url} and {@code
 * session_id} are all set is one {@link PageView} of exactly those values (empty strings and any
 * text are valid; a null {@code referrer} is a direct visit), counted as {@code page_views}. Any
 * other row is one {@link DeadLetter}, counted as {@code invalid_page_views}, whose reason names
 * the first null column in the order ts, customer, url, session_id, whose source is the row's
 * {@code source_file} (or {@code unknown}), and whose payload is a JSON object of the row's other
 * columns in schema order, each as text or null. Rows have the columns in any order, with or
 * without {@code source_file}, and {@code ts} as an {@code Instant} or a zoned {@code DateTime}
 * anywhere in Joda's range. The DoFn's {@code processElement} is called directly ({@link
 * DoFnCall}).
 */
class ToPageViewsPropertyTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The required columns in the order the reason names the first null one. */
  private static final List<String> REQUIRED = List.of("ts", "customer", "url", "session_id");

  @Property(tries = 1000)
  void everyRowIsOnePageViewOrOneDeadLetter(@ForAll("rows") Row row) throws Exception {
    ToPageViews.ValidatePageViewsFn fn = new ToPageViews.ValidatePageViewsFn();
    DoFnCall call = DoFnCall.run(out -> fn.processElement(row, out));
    long valid = call.counter(ToPageViews.class, ToPageViews.PAGE_VIEWS);
    long invalid = call.counter(ToPageViews.class, ToPageViews.INVALID_PAGE_VIEWS);

    assertEquals(call.outputs().toString(), 1, call.outputs().size());
    assertEquals(1L, valid + invalid);
    Object out = call.outputs().get(0).value();
    String firstNull = null;
    for (String column : REQUIRED) {
      if (row.getValue(column) == null) {
        firstNull = column;
        break;
      }
    }
    Statistics.collect(firstNull == null ? "page view" : "null " + firstNull);
    Statistics.coverage(
        coverage -> {
          coverage.check("page view").percentage(p -> p >= 20);
          for (String column : REQUIRED) {
            coverage.check("null " + column).percentage(p -> p >= 3);
          }
        });
    assertEquals(firstNull, ToPageViews.missingField(row));

    if (firstNull == null) {
      assertEquals(1L, valid);
      ReadableInstant ts = row.getValue("ts");
      assertEquals(
          PageView.of(
              row.getValue("customer"),
              row.getValue("url"),
              row.getValue("referrer"),
              row.getValue("session_id"),
              ts.getMillis()),
          out);
      return;
    }
    assertEquals(1L, invalid);
    assertTrue("not a dead letter: " + out, out instanceof DeadLetter);
    DeadLetter letter = (DeadLetter) out;
    assertEquals("null " + firstNull, letter.getReason());
    assertEquals(ToPageViews.STEP, letter.getStep());
    String sourceFile =
        row.getSchema().hasField(ToPageViews.SOURCE_FILE)
            ? row.getValue(ToPageViews.SOURCE_FILE)
            : null;
    assertEquals(sourceFile == null ? "unknown" : sourceFile, letter.getSource());
    assertPayloadIsTheRow(row, letter.getPayload());
  }

  /** The payload is one JSON object of every column but source_file, in order, as text or null. */
  private static void assertPayloadIsTheRow(Row row, String payload) throws Exception {
    JsonNode json = MAPPER.readTree(payload);
    List<String> columns = new ArrayList<>();
    for (Schema.Field field : row.getSchema().getFields()) {
      if (!field.getName().equals(ToPageViews.SOURCE_FILE)) {
        columns.add(field.getName());
      }
    }
    List<String> keys = new ArrayList<>();
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      keys.add(names.next());
    }
    assertEquals(payload, columns, keys);
    for (String column : columns) {
      Object value = row.getValue(column);
      JsonNode node = json.get(column);
      if (value == null) {
        assertTrue(payload, node.isNull());
      } else if (column.equals("ts")) {
        // Written as the instant's ISO-8601 text; read back, it is the same instant.
        assertEquals(
            payload,
            ((ReadableInstant) value).getMillis(),
            DateTime.parse(node.textValue()).getMillis());
      } else {
        assertEquals(payload, value, node.textValue());
      }
    }
    assertNull(payload, json.get(ToPageViews.SOURCE_FILE));
  }

  @Provide
  Arbitrary<Row> rows() {
    Arbitrary<String> text =
        Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.of(" ", "\t", "null", "NULL")),
                Tuple.of(6, Texts.any()))
            .injectNull(0.12);
    List<Schema.Field> columns = new ArrayList<>(ToPageViews.COLUMNS.getFields());
    Arbitrary<List<Schema.Field>> order =
        Arbitraries.of(true, false)
            .flatMap(
                withSource -> {
                  List<Schema.Field> fields = new ArrayList<>(columns);
                  if (withSource) {
                    fields.add(
                        Schema.Field.nullable(ToPageViews.SOURCE_FILE, Schema.FieldType.STRING));
                  }
                  return Arbitraries.shuffle(fields);
                });
    return Combinators.combine(
            order, text, text, text, text, timestamps().injectNull(0.12), text.injectNull(0.2))
        .as(
            (fields, customer, url, referrer, session, ts, sourceFile) -> {
              Schema schema = Schema.builder().addFields(fields).build();
              Row.Builder row = Row.withSchema(schema);
              for (Schema.Field field : fields) {
                switch (field.getName()) {
                  case "customer":
                    row.addValue(customer);
                    break;
                  case "url":
                    row.addValue(url);
                    break;
                  case "referrer":
                    row.addValue(referrer);
                    break;
                  case "session_id":
                    row.addValue(session);
                    break;
                  case "ts":
                    row.addValue(ts);
                    break;
                  default:
                    row.addValue(sourceFile);
                }
              }
              return row.build();
            });
  }

  /** Instants anywhere in Joda's range, some as a DateTime in another zone. */
  private static Arbitrary<ReadableInstant> timestamps() {
    Arbitrary<Long> millis =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L),
            Arbitraries.longs().between(-9_223_372_036_854_775L, 9_223_372_036_854_775L),
            Arbitraries.longs());
    Arbitrary<ReadableInstant> instants = millis.map(Instant::new);
    Arbitrary<ReadableInstant> zoned =
        Combinators.combine(
                Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L),
                Arbitraries.of("UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu"))
            .as((ms, zone) -> new DateTime(ms, DateTimeZone.forID(zone)));
    return Arbitraries.oneOf(instants, zoned);
  }
}
