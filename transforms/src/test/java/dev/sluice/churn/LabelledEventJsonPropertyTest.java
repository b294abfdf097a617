package dev.sluice.churn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.Texts;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.util.RowJson;
import org.apache.beam.sdk.util.RowJsonUtils;
import org.apache.beam.sdk.values.Row;

/**
 * Properties of {@link LabelledEventJson}, written on its {@link LabelledEventJson#generator} as
 * {@code LabelChurnFilesAsJson} writes it, one line per event, for events with any values: text
 * with quotes, backslashes, control characters, line separators, surrogate pairs and unpaired
 * surrogates, any longs, any doubles (NaN, infinities and -0.0 among them) and nulls.
 *
 * <ul>
 *   <li>The bytes are valid UTF-8, with exactly one line per event (no raw line break inside); each
 *       line parses with Jackson to one object whose keys are {@code churn}, {@code label} and the
 *       Sparkify columns in order, holding exactly the event's values: text unchanged, absent
 *       values as {@code null}, a non-finite length as the string {@code "NaN"}, {@code "Infinity"}
 *       or {@code "-Infinity"} (Jackson's and so Beam's {@code ToJson} way).
 *   <li>The bytes are those {@code WriteRecords} writes for the same {@link LabelledEvent}: Beam's
 *       {@code ToJson} of its flattened row, encoded as UTF-8 by {@code TextIO}'s sink, for every
 *       event whose text has no unpaired surrogate. (An unpaired surrogate, which UTF-8 cannot
 *       encode, is written as its {@code \\uXXXX} escape and so kept, where {@code WriteRecords}
 *       writes {@code ?}.)
 * </ul>
 */
class LabelledEventJsonPropertyTest {

  private static final List<String> KEYS = keys();

  private static List<String> keys() {
    List<String> keys = new ArrayList<>(List.of("churn", "label"));
    keys.addAll(SparkifyEvents.FIELDS);
    return keys;
  }

  private static final ObjectMapper TREE =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Schema EVENT = schemaOf(SparkifyEvent.class);

  /**
   * The row {@code Select.flattenedSchema()} makes of a LabelledEvent: churn, label, then event.
   */
  private static final Schema FLATTENED =
      Schema.builder()
          .addBooleanField("churn")
          .addInt32Field("label")
          .addFields(EVENT.getFields())
          .build();

  private static final SerializableFunction<SparkifyEvent, Row> EVENT_TO_ROW = toRow();

  private static final ObjectMapper TO_JSON =
      RowJsonUtils.newObjectMapperWith(RowJson.RowJsonSerializer.forSchema(FLATTENED));

  @Property(tries = 500)
  void eachEventIsOneLineThatReadsBackAsItsValuesInOrder(
      @ForAll("batches") List<LabelledEvent> events) throws Exception {
    String text = decodeStrictly(write(events));
    assertTrue(text, text.isEmpty() || text.endsWith("\n"));
    String[] lines = text.split("\n", -1);
    assertEquals(text, events.size() + 1, lines.length);
    for (int i = 0; i < events.size(); i++) {
      String line = lines[i];
      assertFalse(line, line.contains("\r"));
      JsonNode json = TREE.readTree(line);
      assertEquals(line, KEYS, keys(json));
      assertValues(line, events.get(i), json);
    }
  }

  @Property(tries = 500)
  void theBytesAreThoseWriteRecordsWrites(@ForAll("wellFormedEvents") LabelledEvent event)
      throws Exception {
    byte[] expected = (toJson(event) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] actual = write(List.of(event));
    assertEquals(
        new String(expected, StandardCharsets.UTF_8)
            + " vs\n"
            + new String(actual, StandardCharsets.UTF_8),
        ByteBuffer.wrap(expected),
        ByteBuffer.wrap(actual));
  }

  private static void assertValues(String line, LabelledEvent labelled, JsonNode json) {
    SparkifyEvent e = labelled.getEvent();
    assertTrue(line, json.get("churn").isBoolean());
    assertEquals(line, labelled.isChurn(), json.get("churn").booleanValue());
    assertTrue(line, json.get("label").isInt());
    assertEquals(line, labelled.getLabel(), json.get("label").intValue());
    Object[] values = {
      e.getArtist(),
      e.getAuth(),
      e.getFirstName(),
      e.getGender(),
      e.getItemInSession(),
      e.getLastName(),
      e.getLength(),
      e.getLevel(),
      e.getLocation(),
      e.getMethod(),
      e.getPage(),
      e.getRegistration(),
      e.getSessionId(),
      e.getSong(),
      e.getStatus(),
      e.getTs(),
      e.getUserAgent(),
      e.getUserId()
    };
    for (int i = 0; i < values.length; i++) {
      String key = KEYS.get(i + 2);
      Object value = values[i];
      JsonNode node = json.get(key);
      String where = key + " in " + line;
      if (value == null) {
        assertTrue(where, node.isNull());
      } else if (value instanceof String) {
        assertTrue(where, node.isTextual());
        assertEquals(where, value, node.textValue());
      } else if (value instanceof Long) {
        assertTrue(where, node.isIntegralNumber() && node.canConvertToLong());
        assertEquals(where, value, node.longValue());
      } else {
        double length = (Double) value;
        if (Double.isFinite(length)) {
          assertTrue(where, node.isFloatingPointNumber());
          assertEquals(
              where, Double.doubleToLongBits(length), Double.doubleToLongBits(node.doubleValue()));
        } else {
          assertEquals(where, Double.toString(length), node.textValue());
        }
      }
    }
  }

  /** The lines LabelChurnFilesAsJson writes for {@code events}: each object, then a newline. */
  private static byte[] write(List<LabelledEvent> events) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = LabelledEventJson.generator(out)) {
      for (LabelledEvent e : events) {
        LabelledEventJson.write(json, e.getEvent(), e.isChurn(), e.getLabel());
        json.writeRaw('\n');
      }
    }
    return out.toByteArray();
  }

  /** What WriteRecords' ToJson makes of the event's flattened row. */
  private static String toJson(LabelledEvent labelled) throws Exception {
    Row event = EVENT_TO_ROW.apply(labelled.getEvent());
    Row row =
        Row.withSchema(FLATTENED)
            .addValue(labelled.isChurn())
            .addValue(labelled.getLabel())
            .addValues(event.getValues())
            .build();
    return RowJsonUtils.rowToJson(TO_JSON, row);
  }

  private static String decodeStrictly(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static List<String> keys(JsonNode json) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      keys.add(names.next());
    }
    return keys;
  }

  private static SerializableFunction<SparkifyEvent, Row> toRow() {
    try {
      return SchemaRegistry.createDefault().getToRowFunction(SparkifyEvent.class);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Schema schemaOf(Class<?> type) {
    try {
      return SchemaRegistry.createDefault().getSchema(type);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException(e);
    }
  }

  @Provide
  Arbitrary<List<LabelledEvent>> batches() {
    return labelled(Texts.any()).list().ofMaxSize(4);
  }

  @Provide
  Arbitrary<LabelledEvent> wellFormedEvents() {
    return labelled(Texts.wellFormed());
  }

  /** Events of {@code pieces} and, now and then, of text long enough to span Jackson's buffers. */
  private static Arbitrary<LabelledEvent> labelled(Arbitrary<String> pieces) {
    Arbitrary<String> text =
        Arbitraries.frequencyOf(
            Tuple.of(9, pieces),
            Tuple.of(1, pieces.list().ofMinSize(100).ofMaxSize(300).map(p -> String.join("", p))));
    Arbitrary<Double> lengths =
        Arbitraries.oneOf(
            Arbitraries.doubles(),
            Arbitraries.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                -0.0,
                Double.MIN_VALUE,
                Double.MAX_VALUE,
                1e21,
                1e-7),
            Arbitraries.longs().map(Double::longBitsToDouble));
    return Combinators.combine(
            SparkifyEvents.any(text, lengths), Arbitraries.of(true, false), Arbitraries.of(0, 1))
        .as(LabelledEvent::of);
  }
}
