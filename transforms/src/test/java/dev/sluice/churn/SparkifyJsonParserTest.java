package dev.sluice.churn;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link SparkifyJsonParser} against the rules it replaces, Jackson's tree model read as {@link
 * TreeModel} does: on every line of {@code testdata/churn/input}, on lines written to break each
 * rule, and on thousands of random mutations of real lines, both give the same event or the same
 * reason.
 */
@RunWith(JUnit4.class)
public class SparkifyJsonParserTest {

  private static final Path INPUT = Paths.get("testdata", "churn", "input");

  /** The outcome of a parse: the event, or the reason. */
  private static String outcome(String line, boolean streaming) {
    try {
      return String.valueOf(streaming ? SparkifyJsonParser.parse(line) : TreeModel.parse(line));
    } catch (ParseSparkifyEvents.InvalidEventException | TreeModel.Invalid e) {
      return "invalid: " + e.getMessage();
    }
  }

  private static void assertSameOutcome(String line) {
    assertEquals(line, outcome(line, false), outcome(line, true));
  }

  @Test
  public void agreesOnEveryTestdataLine() throws IOException {
    List<String> lines = testdataLines();
    for (String line : lines) {
      if (!line.isBlank()) {
        assertSameOutcome(line);
      }
    }
  }

  @Test
  public void agreesOnLinesThatBreakEachRule() {
    String[] lines = {
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\"}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\"} {}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\"} x",
      "[1,2,3]",
      "[1,2",
      "42",
      "null",
      "{\"ts\":1e400,\"userId\":\"u\",\"page\":\"Home\"}",
      "{\"ts\":-0,\"userId\":\"u\",\"page\":\"Home\"}",
      "{\"ts\":99999999999999999999,\"userId\":\"u\",\"page\":\"Home\"}",
      "{\"ts\":1.0,\"userId\":\"u\",\"page\":\"Home\",\"length\":7}",
      "{\"ts\":1,\"userId\":1.50,\"page\":\"Home\"}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":true}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":{\"a\":[1]}}",
      "{\"ts\":\"x\",\"userId\":\"u\"}",
      "{\"itemInSession\":\"x\",\"ts\":1,\"userId\":\"u\"}",
      "{\"page\":\"Home\",\"page\":null,\"ts\":1,\"userId\":\"u\"}",
      "{\"page\":7,\"page\":\"Home\",\"ts\":1,\"userId\":\"u\"}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\",\"x\":{\"y\":[{}]},\"status\":200}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"H\u00e9me \\u00e9\"}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\",}",
      "{\"ts\":1 \"userId\":\"u\"}",
      "{'ts':1}",
      "{\"ts\":1,\"userId\":\"u\",\"page\":\"Home\"",
    };
    for (String line : lines) {
      assertSameOutcome(line);
    }
  }

  @Test
  public void agreesOnRandomMutationsOfRealLines() throws IOException {
    List<String> lines = testdataLines();
    SplittableRandom random = new SplittableRandom(2018);
    String pieces = "{}[]:,\"\\0123456789.eE-+ntrufalse ";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder line = new StringBuilder(lines.get(random.nextInt(lines.size())));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits && line.length() > 0; e++) {
        int at = random.nextInt(line.length());
        switch (random.nextInt(3)) {
          case 0:
            line.deleteCharAt(at);
            break;
          case 1:
            line.insert(at, pieces.charAt(random.nextInt(pieces.length())));
            break;
          default:
            line.setCharAt(at, pieces.charAt(random.nextInt(pieces.length())));
        }
      }
      if (!line.toString().isBlank()) {
        assertSameOutcome(line.toString());
      }
    }
  }

  private static List<String> testdataLines() throws IOException {
    List<String> lines = new ArrayList<>();
    for (String name :
        new String[] {"eventsim-slice.json.gz", "sparkify-2018-11-slice.json", "malformed.json"}) {
      Path file = INPUT.resolve(name);
      try (InputStream raw = Files.newInputStream(file);
          InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
          BufferedReader reader =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        reader.lines().forEach(lines::add);
      }
    }
    return lines;
  }

  /** The tree-model parse that {@link SparkifyJsonParser} replaces, as the reference. */
  static final class TreeModel {
    /** A line the tree model rejects. */
    static final class Invalid extends Exception {
      private static final long serialVersionUID = 1L;

      Invalid(String reason) {
        super(reason);
      }
    }

    static SparkifyEvent parse(String line) throws Invalid {
      JsonNode root;
      try {
        root = MAPPER.readTree(line);
      } catch (JsonProcessingException e) {
        throw new Invalid("malformed JSON: " + e.getOriginalMessage());
      }
      if (root == null || !root.isObject()) {
        throw new Invalid("not a JSON object");
      }
      return SparkifyEvent.builder()
          .setArtist(optionalString(root, "artist"))
          .setAuth(optionalString(root, "auth"))
          .setFirstName(optionalString(root, "firstName"))
          .setGender(optionalString(root, "gender"))
          .setItemInSession(optionalLong(root, "itemInSession"))
          .setLastName(optionalString(root, "lastName"))
          .setLength(optionalDouble(root, "length"))
          .setLevel(optionalString(root, "level"))
          .setLocation(optionalString(root, "location"))
          .setMethod(optionalString(root, "method"))
          .setPage(required(optionalString(root, "page"), "page"))
          .setRegistration(optionalLong(root, "registration"))
          .setSessionId(optionalLong(root, "sessionId"))
          .setSong(optionalString(root, "song"))
          .setStatus(optionalLong(root, "status"))
          .setTs(required(optionalLong(root, "ts"), "ts"))
          .setUserAgent(optionalString(root, "userAgent"))
          .setUserId(required(optionalString(root, "userId"), "userId"))
          .build();
    }

    private static final ObjectMapper MAPPER =
        new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static <T> T required(@Nullable T value, String field) throws Invalid {
      if (value == null) {
        throw new Invalid("missing field '" + field + "'");
      }
      return value;
    }

    private static @Nullable JsonNode present(JsonNode root, String field) {
      JsonNode node = root.get(field);
      return node == null || node.isNull() ? null : node;
    }

    private static @Nullable String optionalString(JsonNode root, String field) throws Invalid {
      JsonNode node = present(root, field);
      if (node == null) {
        return null;
      }
      if (!node.isTextual()) {
        throw wrongType(field, "a string", node);
      }
      return node.textValue();
    }

    private static @Nullable Long optionalLong(JsonNode root, String field) throws Invalid {
      JsonNode node = present(root, field);
      if (node == null) {
        return null;
      }
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        return node.longValue();
      }
      if (node.isFloatingPointNumber()) {
        double value = node.doubleValue();
        if (value == Math.rint(value) && Math.abs(value) < 0x1p63) {
          return (long) value;
        }
      }
      throw wrongType(field, "an integer", node);
    }

    private static @Nullable Double optionalDouble(JsonNode root, String field) throws Invalid {
      JsonNode node = present(root, field);
      if (node == null) {
        return null;
      }
      if (!node.isNumber()) {
        throw wrongType(field, "a number", node);
      }
      return node.doubleValue();
    }

    private static Invalid wrongType(String field, String expected, JsonNode node) {
      String got = node.getNodeType().name() + (node.isNumber() ? " " + node.asText() : "");
      return new Invalid("field '" + field + "' must be " + expected + ", got " + got);
    }
  }
}
