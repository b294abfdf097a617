package dev.sluice.churn;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.testing.Counters;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class ParseSparkifyEventsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  /** A real NextSong event of eventsim's mini.json.gz. */
  static final String SONG =
      "{\"ts\":1538352009000,\"userId\":\"192\",\"sessionId\":191,\"page\":\"NextSong\","
          + "\"auth\":\"Logged In\",\"method\":\"PUT\",\"status\":200,\"level\":\"free\","
          + "\"itemInSession\":46,\"location\":\"Peoria, IL\",\"userAgent\":\"Mozilla/5.0\","
          + "\"lastName\":\"Gregory\",\"firstName\":\"Ziad\",\"registration\":1524573214000,"
          + "\"gender\":\"M\",\"artist\":\"Bobbie Gentry\",\"song\":\"Reunion\","
          + "\"length\":156.21179}";

  /** A real guest row: only the session fields. */
  static final String GUEST =
      "{\"ts\":1538352117000,\"userId\":\"\",\"sessionId\":212,\"page\":\"Home\","
          + "\"auth\":\"Guest\",\"method\":\"GET\",\"status\":200,\"level\":\"free\","
          + "\"itemInSession\":0}";

  @Test
  public void parsesEveryField() throws Exception {
    SparkifyEvent e = ParseSparkifyEvents.parse(SONG);
    assertEquals("Bobbie Gentry", e.getArtist());
    assertEquals("Logged In", e.getAuth());
    assertEquals("Ziad", e.getFirstName());
    assertEquals("M", e.getGender());
    assertEquals(Long.valueOf(46), e.getItemInSession());
    assertEquals("Gregory", e.getLastName());
    assertEquals(156.21179, e.getLength(), 0.0);
    assertEquals("free", e.getLevel());
    assertEquals("Peoria, IL", e.getLocation());
    assertEquals("PUT", e.getMethod());
    assertEquals("NextSong", e.getPage());
    assertEquals(Long.valueOf(1524573214000L), e.getRegistration());
    assertEquals(Long.valueOf(191), e.getSessionId());
    assertEquals("Reunion", e.getSong());
    assertEquals(Long.valueOf(200), e.getStatus());
    assertEquals(1538352009000L, e.getTs());
    assertEquals("Mozilla/5.0", e.getUserAgent());
    assertEquals("192", e.getUserId());
    assertFalse(e.isGuest());
  }

  @Test
  public void guestRowsParseWithOnlySessionFields() throws Exception {
    SparkifyEvent e = ParseSparkifyEvents.parse(GUEST);
    assertTrue(e.isGuest());
    assertNull(e.getRegistration());
    assertNull(e.getArtist());
    assertEquals("Guest", e.getAuth());
  }

  @Test
  public void registrationWrittenAsFloatIsEpochMillis() throws Exception {
    SparkifyEvent e =
        ParseSparkifyEvents.parse(
            "{\"ts\":1541106106796,\"userId\":\"8\",\"page\":\"Home\","
                + "\"registration\":1540991795796.0,\"firstName\":null}");
    assertEquals(Long.valueOf(1540991795796L), e.getRegistration());
    assertNull(e.getFirstName());
  }

  @Test
  public void unknownFieldsAreIgnored() throws Exception {
    SparkifyEvent e =
        ParseSparkifyEvents.parse("{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\",\"new\":[1]}");
    assertEquals("u", e.getUserId());
  }

  @Test
  public void invalidLinesGiveOneLineReasons() {
    assertReason(
        "{\"ts\":1.5,\"userId\":\"u\",\"page\":\"Home\"}",
        "field 'ts' must be an integer, got NUMBER 1.5");
    assertReason(
        "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\",\"length\":\"3:10\"}",
        "field 'length' must be a number, got STRING");
    assertReason(
        "{\"ts\":1,\"userId\":\"u\",\"page\":[\"Home\"]}",
        "field 'page' must be a string, got ARRAY");
    assertReason(
        "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\"} trailing",
        "malformed JSON: Unrecognized token 'trailing'");
    assertReason("\"just a string\"", "not a JSON object");
  }

  private static void assertReason(String line, String reasonPrefix) {
    ParseSparkifyEvents.InvalidEventException e =
        assertThrows(
            ParseSparkifyEvents.InvalidEventException.class, () -> ParseSparkifyEvents.parse(line));
    assertTrue(
        "reason '" + e.getMessage() + "' should start with '" + reasonPrefix + "'",
        e.getMessage().startsWith(reasonPrefix));
    assertFalse("reason is one line", e.getMessage().contains("\n"));
  }

  @Test
  public void schemaHasSparkifyColumnsInOrder() throws Exception {
    Schema schema = p.getSchemaRegistry().getSchema(SparkifyEvent.class);
    assertThat(
        schema.getFieldNames(),
        contains(
            "artist",
            "auth",
            "firstName",
            "gender",
            "itemInSession",
            "lastName",
            "length",
            "level",
            "location",
            "method",
            "page",
            "registration",
            "sessionId",
            "song",
            "status",
            "ts",
            "userAgent",
            "userId"));
    assertFalse(schema.getField("ts").getType().getNullable());
    assertFalse(schema.getField("userId").getType().getNullable());
    assertFalse(schema.getField("page").getType().getNullable());
    assertTrue(schema.getField("artist").getType().getNullable());
    assertTrue(schema.getField("registration").getType().getNullable());
  }

  @Test
  public void routesBadLinesToDeadLetterAndCountsEverything() throws Exception {
    PCollection<KV<String, String>> lines =
        p.apply(
            Create.of(
                KV.of("f1", SONG),
                KV.of("f1", GUEST),
                KV.of("f1", "   "),
                KV.of("f2", "not json"),
                KV.of("f2", "{\"userId\":\"1\",\"page\":\"Home\"}"),
                KV.of("f2", "{\"ts\":2,\"userId\":\"1\",\"page\":\"Home\",\"status\":\"ok\"}")));
    WithFailures.Result<PCollection<SparkifyEvent>, DeadLetter> result =
        lines.apply(ParseSparkifyEvents.create());

    PAssert.that(result.output())
        .containsInAnyOrder(ParseSparkifyEvents.parse(SONG), ParseSparkifyEvents.parse(GUEST));
    PAssert.that(result.failures())
        .satisfies(
            letters -> {
              java.util.List<String> reasons = new java.util.ArrayList<>();
              for (DeadLetter d : letters) {
                assertEquals("f2", d.getSource());
                assertEquals(ParseSparkifyEvents.STEP, d.getStep());
                reasons.add(d.getReason() + " | " + d.getPayload());
              }
              java.util.Collections.sort(reasons);
              assertEquals(3, reasons.size());
              assertTrue(
                  reasons.get(0).startsWith("field 'status' must be an integer, got STRING"));
              assertTrue(reasons.get(1).startsWith("malformed JSON: "));
              assertTrue(reasons.get(1).endsWith(" | not json"));
              assertEquals(
                  "missing field 'ts' | {\"userId\":\"1\",\"page\":\"Home\"}", reasons.get(2));
              return null;
            });
    PipelineResult run = p.run();
    run.waitUntilFinish();
    assertEquals(5, counter(run, ParseSparkifyEvents.EVENTS_READ));
    assertEquals(1, counter(run, ParseSparkifyEvents.BLANK_LINES_SKIPPED));
    assertEquals(3, counter(run, ParseSparkifyEvents.DEAD_LETTERS));
  }

  private static long counter(PipelineResult result, String name) {
    return Counters.attempted(result, ParseSparkifyEvents.class, name);
  }
}
