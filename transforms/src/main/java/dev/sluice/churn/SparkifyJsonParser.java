package dev.sluice.churn;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;

/**
 * Parses one Sparkify JSON line into a {@link SparkifyEvent} with Jackson's streaming parser, token
 * by token into the event's fields, with no tree of nodes: the rules and reasons of {@link
 * ParseSparkifyEvents#parse}, which are those of Jackson's tree model read with {@code
 * FAIL_ON_TRAILING_TOKENS} (a repeated field takes its last value; type errors are reported in the
 * order of the Sparkify columns, a missing required field where that column comes).
 */
final class SparkifyJsonParser {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The fields, in the order of the Sparkify columns, which is the order errors are reported in.
   */
  private static final String[] FIELDS = {
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
    "userId"
  };

  private static final int ARTIST = 0;
  private static final int AUTH = 1;
  private static final int FIRST_NAME = 2;
  private static final int GENDER = 3;
  private static final int ITEM_IN_SESSION = 4;
  private static final int LAST_NAME = 5;
  private static final int LENGTH = 6;
  private static final int LEVEL = 7;
  private static final int LOCATION = 8;
  private static final int METHOD = 9;
  private static final int PAGE = 10;
  private static final int REGISTRATION = 11;
  private static final int SESSION_ID = 12;
  private static final int SONG = 13;
  private static final int STATUS = 14;
  private static final int TS = 15;
  private static final int USER_AGENT = 16;
  private static final int USER_ID = 17;

  /** What a field holds: a string, a long, a double, or the JSON type it has instead. */
  private static final int EXPECT_STRING = 0;

  private static final int EXPECT_LONG = 1;
  private static final int EXPECT_DOUBLE = 2;

  private static final int[] EXPECTED = {
    EXPECT_STRING, EXPECT_STRING, EXPECT_STRING, EXPECT_STRING, EXPECT_LONG, EXPECT_STRING,
    EXPECT_DOUBLE, EXPECT_STRING, EXPECT_STRING, EXPECT_STRING, EXPECT_STRING, EXPECT_LONG,
    EXPECT_LONG, EXPECT_STRING, EXPECT_LONG, EXPECT_LONG, EXPECT_STRING, EXPECT_STRING
  };

  private SparkifyJsonParser() {}

  /**
   * Parses a line.
   *
   * @throws ParseSparkifyEvents.InvalidEventException with the reason the tree model gives
   */
  static SparkifyEvent parse(String line) throws ParseSparkifyEvents.InvalidEventException {
    Object[] values = new Object[FIELDS.length];
    String[] errors = new String[FIELDS.length];
    try (JsonParser parser = JSON.createParser(line)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        parser.skipChildren();
        checkEnd(parser);
        throw new ParseSparkifyEvents.InvalidEventException("not a JSON object");
      }
      // Names with nextFieldName, values with nextToken: as Jackson's tree deserializer reads an
      // object, so that malformed lines fail with the same reasons.
      String name;
      while ((name = parser.nextFieldName()) != null) {
        int field = fieldIndex(name);
        JsonToken value = parser.nextToken();
        if (field < 0) {
          parser.skipChildren();
          continue;
        }
        values[field] = null;
        errors[field] = null;
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        read(parser, value, field, values, errors);
      }
      JsonToken token = parser.currentToken();
      if (token != JsonToken.END_OBJECT) {
        throw new ParseSparkifyEvents.InvalidEventException("malformed JSON: unexpected " + token);
      }
      checkEnd(parser);
    } catch (JsonProcessingException e) {
      throw new ParseSparkifyEvents.InvalidEventException(
          "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ParseSparkifyEvents.InvalidEventException("malformed JSON: " + e.getMessage());
    }
    for (int field = 0; field < FIELDS.length; field++) {
      if (errors[field] != null) {
        throw new ParseSparkifyEvents.InvalidEventException(errors[field]);
      }
      if ((field == PAGE || field == TS || field == USER_ID) && values[field] == null) {
        throw new ParseSparkifyEvents.InvalidEventException(
            "missing field '" + FIELDS[field] + "'");
      }
    }
    return SparkifyEvent.builder()
        .setArtist((String) values[ARTIST])
        .setAuth((String) values[AUTH])
        .setFirstName((String) values[FIRST_NAME])
        .setGender((String) values[GENDER])
        .setItemInSession((Long) values[ITEM_IN_SESSION])
        .setLastName((String) values[LAST_NAME])
        .setLength((Double) values[LENGTH])
        .setLevel((String) values[LEVEL])
        .setLocation((String) values[LOCATION])
        .setMethod((String) values[METHOD])
        .setPage((String) values[PAGE])
        .setRegistration((Long) values[REGISTRATION])
        .setSessionId((Long) values[SESSION_ID])
        .setSong((String) values[SONG])
        .setStatus((Long) values[STATUS])
        .setTs((Long) values[TS])
        .setUserAgent((String) values[USER_AGENT])
        .setUserId((String) values[USER_ID])
        .build();
  }

  /** Reads the value at the parser into {@code values[field]}, or its error. */
  private static void read(
      JsonParser parser, JsonToken value, int field, Object[] values, String[] errors)
      throws IOException {
    switch (EXPECTED[field]) {
      case EXPECT_STRING:
        if (value == JsonToken.VALUE_STRING) {
          values[field] = parser.getText();
        } else {
          errors[field] = wrongType(field, "a string", parser, value);
        }
        return;
      case EXPECT_LONG:
        if (value == JsonToken.VALUE_NUMBER_INT) {
          if (parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
              || fitsLong(parser.getBigIntegerValue())) {
            values[field] = parser.getLongValue();
            return;
          }
        } else if (value == JsonToken.VALUE_NUMBER_FLOAT) {
          double number = parser.getDoubleValue();
          if (number == Math.rint(number) && Math.abs(number) < 0x1p63) {
            values[field] = (long) number;
            return;
          }
        }
        errors[field] = wrongType(field, "an integer", parser, value);
        return;
      default:
        if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
          values[field] = parser.getDoubleValue();
        } else {
          errors[field] = wrongType(field, "a number", parser, value);
        }
    }
  }

  private static boolean fitsLong(BigInteger value) {
    return value.bitLength() < 64;
  }

  /** The reason the tree model gives: the JSON type, and a number's text. */
  private static String wrongType(int field, String expected, JsonParser parser, JsonToken value)
      throws IOException {
    String got;
    switch (value) {
      case VALUE_STRING:
        got = "STRING";
        break;
      case VALUE_NUMBER_INT:
        got = "NUMBER " + parser.getNumberValue();
        break;
      case VALUE_NUMBER_FLOAT:
        got = "NUMBER " + Double.toString(parser.getDoubleValue());
        break;
      case VALUE_TRUE:
      case VALUE_FALSE:
        got = "BOOLEAN";
        break;
      case START_ARRAY:
        parser.skipChildren();
        got = "ARRAY";
        break;
      case START_OBJECT:
        parser.skipChildren();
        got = "OBJECT";
        break;
      default:
        got = String.valueOf(value);
    }
    return "field '" + FIELDS[field] + "' must be " + expected + ", got " + got;
  }

  /** Fails as the tree model does on anything after the value. */
  private static void checkEnd(JsonParser parser)
      throws IOException, ParseSparkifyEvents.InvalidEventException {
    JsonToken trailing = parser.nextToken();
    if (trailing != null) {
      throw new ParseSparkifyEvents.InvalidEventException(
          "malformed JSON: Trailing token (of type "
              + trailing
              + ") found after value (bound as `com.fasterxml.jackson.databind.JsonNode`): not"
              + " allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
    }
  }

  private static int fieldIndex(String name) {
    switch (name) {
      case "artist":
        return ARTIST;
      case "auth":
        return AUTH;
      case "firstName":
        return FIRST_NAME;
      case "gender":
        return GENDER;
      case "itemInSession":
        return ITEM_IN_SESSION;
      case "lastName":
        return LAST_NAME;
      case "length":
        return LENGTH;
      case "level":
        return LEVEL;
      case "location":
        return LOCATION;
      case "method":
        return METHOD;
      case "page":
        return PAGE;
      case "registration":
        return REGISTRATION;
      case "sessionId":
        return SESSION_ID;
      case "song":
        return SONG;
      case "status":
        return STATUS;
      case "ts":
        return TS;
      case "userAgent":
        return USER_AGENT;
      case "userId":
        return USER_ID;
      default:
        return -1;
    }
  }
}
