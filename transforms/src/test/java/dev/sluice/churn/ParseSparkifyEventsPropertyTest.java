package dev.sluice.churn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.testing.DoFnCall;
import dev.sluice.testing.Texts;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.apache.beam.sdk.values.KV;

/**
 * Property: {@link ParseSparkifyEvents}' DoFn gives every input line exactly one outcome, and never
 * throws: one {@link SparkifyEvent}, or one {@link DeadLetter} that holds the line, its source, the
 * step and a one-line reason, or, for a blank line only, no output and one count of {@code
 * blank_lines_skipped}; {@code events_read = events + dead_letters}. The lines are random unicode,
 * JSON-ish objects of the Sparkify field names with values of random JSON types (some made
 * invalid), deeply nested JSON, valid Sparkify lines and those lines cut short.
 *
 * <p>Further properties pin the outcome: a valid line is exactly the event it was written from
 * (whatever the field order, omitted or null optional fields, integral floats, unknown and repeated
 * fields); a cut line is a "malformed JSON" dead letter; and, as {@link SparkifyJsonParser}
 * documents, a line is "malformed JSON" exactly when Jackson's tree model with {@code
 * FAIL_ON_TRAILING_TOKENS} rejects it. The DoFn's {@code processElement} is called directly ({@link
 * DoFnCall}), so each try takes microseconds.
 */
class ParseSparkifyEventsPropertyTest {

  private static final String SOURCE = "gs://bucket/events/part-00000.json";

  private static final List<String> FIELDS = SparkifyEvents.FIELDS;

  /** Valid JSON values of every type, for unknown fields and for the first of repeated ones. */
  private static final String[] ANY_JSON = {
    "\"dup\"", "true", "false", "null", "-7", "1.5", "[1,{}]", "{\"a\":[]}", "\"\"", "1e400"
  };

  private static final ObjectMapper TREE =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final JsonFactory JSON = new JsonFactory();

  @Property(tries = 1000)
  void everyLineIsOneEventOrOneDeadLetterOrACountedSkip(@ForAll("lines") String line)
      throws Exception {
    DoFnCall call = process(line);
    long read = call.counter(ParseSparkifyEvents.class, ParseSparkifyEvents.EVENTS_READ);
    long blank = call.counter(ParseSparkifyEvents.class, ParseSparkifyEvents.BLANK_LINES_SKIPPED);
    long dead = call.counter(ParseSparkifyEvents.class, ParseSparkifyEvents.DEAD_LETTERS);
    Statistics.collect(outcome(call));
    // The generators must keep reaching every outcome, or this property checks little.
    Statistics.coverage(
        coverage -> {
          coverage.check("event").percentage(p -> p >= 10);
          coverage.check("dead letter").percentage(p -> p >= 30);
          coverage.check("skipped").percentage(p -> p >= 1);
        });
    if (line.isBlank()) {
      assertEquals(List.of(), call.outputs());
      assertEquals(List.of(1L, 0L, 0L), List.of(blank, read, dead));
      return;
    }
    assertEquals(call.outputs().toString(), 1, call.outputs().size());
    assertEquals(List.of(0L, 1L), List.of(blank, read));
    Object out = call.outputs().get(0).value();
    if (out instanceof SparkifyEvent) {
      assertEquals(0L, dead);
      assertEquals(ParseSparkifyEvents.parse(line), out);
      return;
    }
    assertTrue("neither an event nor a dead letter: " + out, out instanceof DeadLetter);
    assertEquals(1L, dead);
    DeadLetter letter = (DeadLetter) out;
    assertEquals(SOURCE, letter.getSource());
    assertEquals(ParseSparkifyEvents.STEP, letter.getStep());
    assertEquals(line, letter.getPayload());
    String reason = letter.getReason();
    assertFalse(reason.isBlank());
    // Jackson's reasons quote the start of the input, so a "line" holding a line break (which no
    // line reader gives) may give a reason of two lines; a real line gives a reason of one.
    if (!line.contains("\n") && !line.contains("\r")) {
      assertFalse("reason of more than one line: " + reason, reason.contains("\n"));
      assertFalse("reason of more than one line: " + reason, reason.contains("\r"));
    }
    ParseSparkifyEvents.InvalidEventException thrown =
        assertThrows(
            ParseSparkifyEvents.InvalidEventException.class, () -> ParseSparkifyEvents.parse(line));
    assertEquals(reason, thrown.getMessage());
  }

  @Property(tries = 500)
  void aValidLineIsTheEventItWasWrittenFrom(@ForAll("validLines") Written written)
      throws Exception {
    DoFnCall call = process(written.line);
    assertEquals(1, call.outputs().size());
    assertEquals(written.event, call.outputs().get(0).value());
  }

  @Property(tries = 500)
  void aValidLineCutShortIsMalformedJson(@ForAll("cutLines") String line) throws Exception {
    DoFnCall call = process(line);
    assertEquals(1, call.outputs().size());
    Object out = call.outputs().get(0).value();
    assertTrue("a cut line parsed: " + out, out instanceof DeadLetter);
    String reason = ((DeadLetter) out).getReason();
    assertTrue(reason, reason.startsWith("malformed JSON: "));
  }

  @Property(tries = 1000)
  void aLineIsMalformedJsonExactlyWhenJacksonsTreeModelRejectsIt(
      @ForAll("nonBlankLines") String line) throws Exception {
    JsonNode tree;
    try {
      tree = TREE.readTree(line);
    } catch (IOException e) {
      tree = null;
    }
    Object out = process(line).outputs().get(0).value();
    if (out instanceof SparkifyEvent) {
      assertNotNull("parsed a line the tree model rejects", tree);
      assertTrue(tree.isObject());
      assertEquals(((SparkifyEvent) out).getPage(), tree.get("page").textValue());
      assertEquals(((SparkifyEvent) out).getUserId(), tree.get("userId").textValue());
    } else {
      String reason = ((DeadLetter) out).getReason();
      assertEquals(reason, tree == null, reason.startsWith("malformed JSON: "));
    }
  }

  private static String outcome(DoFnCall call) {
    if (call.outputs().isEmpty()) {
      return "skipped";
    }
    return call.outputs().get(0).value() instanceof SparkifyEvent ? "event" : "dead letter";
  }

  private static DoFnCall process(String line) throws Exception {
    ParseSparkifyEvents.ParseJsonFn fn = new ParseSparkifyEvents.ParseJsonFn();
    return DoFnCall.run(out -> fn.processElement(KV.of(SOURCE, line), out));
  }

  @Provide
  Arbitrary<String> lines() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Texts.any()),
        Tuple.of(1, Arbitraries.strings().withChars(" \t\r\n\u000b\f\u001c\u001f").ofMaxLength(4)),
        Tuple.of(5, jsonIsh()),
        Tuple.of(1, deeplyNested()),
        Tuple.of(2, cutLines()),
        Tuple.of(3, validLines().map(written -> written.line)));
  }

  @Provide
  Arbitrary<String> nonBlankLines() {
    return lines().filter(line -> !line.isBlank());
  }

  /** A valid line and the event it holds. */
  static final class Written {
    final SparkifyEvent event;
    final String json;
    final String line;

    Written(SparkifyEvent event, String json, String padding) {
      this.event = event;
      this.json = json;
      this.line = padding + json + padding;
    }

    @Override
    public String toString() {
      return line;
    }
  }

  @Provide
  Arbitrary<Written> validLines() {
    Arbitrary<List<Integer>> styles = Arbitraries.integers().between(0, 3).list().ofSize(18);
    Arbitrary<List<String>> unknown =
        Combinators.combine(
                Arbitraries.oneOf(
                    Arbitraries.of("Ts", "USERID", "page ", "sessionIdx", "", "extra"),
                    Texts.any().filter(name -> !FIELDS.contains(name))),
                Arbitraries.of(ANY_JSON))
            .as((name, value) -> quote(name) + ":" + value)
            .list()
            .ofMaxSize(3);
    return Combinators.combine(
            SparkifyEvents.any(Texts.any(), finiteDoubles()),
            Arbitraries.shuffle(FIELDS),
            styles,
            unknown,
            Arbitraries.of("", "", " ", "\t "))
        .as(
            (event, order, style, extra, padding) ->
                new Written(event, write(event, order, style, extra), padding));
  }

  @Provide
  Arbitrary<String> cutLines() {
    return validLines()
        .flatMap(
            written ->
                Arbitraries.integers()
                    .between(1, written.json.length() - 1)
                    .map(end -> written.json.substring(0, end)))
        .filter(line -> !line.isBlank());
  }

  /**
   * Writes {@code event} with its fields in {@code order}; per field, by {@code style}: 0 leaves a
   * null optional field out and writes an exact integer as an integral float, 3 writes the field
   * twice (a value of any type, then the real one); then the {@code extra} unknown fields.
   */
  private static String write(
      SparkifyEvent event, List<String> order, List<Integer> style, List<String> extra) {
    Object[] values = {
      event.getArtist(),
      event.getAuth(),
      event.getFirstName(),
      event.getGender(),
      event.getItemInSession(),
      event.getLastName(),
      event.getLength(),
      event.getLevel(),
      event.getLocation(),
      event.getMethod(),
      event.getPage(),
      event.getRegistration(),
      event.getSessionId(),
      event.getSong(),
      event.getStatus(),
      event.getTs(),
      event.getUserAgent(),
      event.getUserId()
    };
    StringWriter out = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      for (int i = 0; i < order.size(); i++) {
        String name = order.get(i);
        Object value = values[FIELDS.indexOf(name)];
        int how = style.get(i);
        if (value == null && how == 0) {
          continue;
        }
        if (how == 3) {
          json.writeFieldName(name);
          json.writeRawValue(ANY_JSON[i % ANY_JSON.length]);
        }
        json.writeFieldName(name);
        if (value == null) {
          json.writeNull();
        } else if (value instanceof String) {
          json.writeString((String) value);
        } else if (value instanceof Double) {
          json.writeNumber((Double) value);
        } else if (how == 0 && exactAsDouble((Long) value)) {
          json.writeNumber(value + ".0");
        } else {
          json.writeNumber((Long) value);
        }
      }
      for (String entry : extra) {
        json.writeRaw(',');
        json.writeRaw(entry);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // page, ts and userId are never left out, so the extra fields always follow one.
    return out.toString();
  }

  /** Objects of Sparkify (and other) field names with values of any JSON type, some broken. */
  private static Arbitrary<String> jsonIsh() {
    Arbitrary<String> object = object(2);
    return Arbitraries.frequencyOf(
        Tuple.of(6, object),
        Tuple.of(
            1, Combinators.combine(object, Arbitraries.of(ANY_JSON)).as((o, v) -> o + " " + v)),
        Tuple.of(
            1,
            object.flatMap(
                o ->
                    Arbitraries.integers()
                        .between(0, o.length() - 1)
                        .map(i -> o.substring(0, i) + o.substring(i + 1)))),
        Tuple.of(
            1,
            Combinators.combine(object, Arbitraries.chars().all(), Arbitraries.integers())
                .as(
                    (o, c, at) -> {
                      int i = Math.floorMod(at, o.length() + 1);
                      return o.substring(0, i) + c + o.substring(i);
                    })),
        Tuple.of(1, value(2)));
  }

  private static Arbitrary<String> object(int depth) {
    Arbitrary<String> name =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.of(FIELDS)),
            Tuple.of(1, Arbitraries.of("Ts", "user_id", "", "ts ")),
            Tuple.of(1, Texts.any()));
    Arbitrary<String> entry =
        Combinators.combine(name, Arbitraries.of("", " "), value(depth))
            .as((n, space, v) -> quote(n) + space + ":" + space + v);
    return Combinators.combine(entry.list().ofMaxSize(20), Arbitraries.of(",", ", ", " ,"))
        .as((entries, comma) -> "{" + String.join(comma, entries) + "}");
  }

  private static Arbitrary<String> value(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Texts.any().map(ParseSparkifyEventsPropertyTest::quote),
            Texts.any().map(text -> "\"" + text + "\""),
            Arbitraries.longs().map(String::valueOf),
            Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                .map(String::valueOf),
            finiteDoubles().map(String::valueOf),
            Arbitraries.longs().map(Double::longBitsToDouble).map(String::valueOf),
            Arbitraries.longs().between(-(1L << 53), 1L << 53).map(v -> v + ".0"),
            Arbitraries.of(
                "1e400",
                "-1e400",
                "1E-400",
                "-0",
                "0.0",
                "01",
                "1.",
                ".5",
                "+1",
                "1e",
                "0x10",
                "NaN",
                "Infinity",
                "true",
                "false",
                "null",
                "tru",
                "nul",
                "'x'",
                "",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "1540991795796.0",
                "9.223372036854776E18",
                "1" + "0".repeat(1200)));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> array =
        value(depth - 1)
            .list()
            .ofMaxSize(4)
            .map(values -> values.stream().collect(Collectors.joining(",", "[", "]")));
    return Arbitraries.frequencyOf(
        Tuple.of(6, scalar), Tuple.of(1, array), Tuple.of(1, object(depth - 1)));
  }

  /** Nesting around the default limit of Jackson's parser (1000). */
  private static Arbitrary<String> deeplyNested() {
    return Combinators.combine(
            Arbitraries.integers().between(990, 1010), Arbitraries.of("[", "{\"ts\":"))
        .as(
            (depth, open) -> {
              String close = open.equals("[") ? "]" : "}";
              return "{\"ts\":" + open.repeat(depth) + "1" + close.repeat(depth) + "}";
            });
  }

  private static boolean exactAsDouble(long value) {
    return value >= -(1L << 53) && value <= 1L << 53;
  }

  private static String quote(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }

  /** Any finite double: every bit pattern, and the short decimals jqwik's doubles() favour. */
  private static Arbitrary<Double> finiteDoubles() {
    return Arbitraries.oneOf(
        Arbitraries.doubles(),
        Arbitraries.of(-0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0x1p53, 1540991795796.0),
        Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite));
  }
}
