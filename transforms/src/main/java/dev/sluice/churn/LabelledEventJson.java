package dev.sluice.churn;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@link LabelledEvent} as the JSON object {@code WriteRecords} writes for it (Beam's {@code
 * ToJson} of the row {@code Select.flattenedSchema()} makes of it), byte for byte in UTF-8: {@code
 * churn} and {@code label}, then the Sparkify columns in order; absent values as {@code null}; no
 * spaces. The one difference: text with an unpaired surrogate, which UTF-8 cannot encode and {@code
 * WriteRecords} writes as {@code ?}, keeps it as a {@code \\uXXXX} escape.
 */
final class LabelledEventJson {

  private static final JsonFactory JSON = new JsonFactory();

  private LabelledEventJson() {}

  /**
   * A generator of UTF-8 bytes for {@link #write} on {@code out}, with nothing written between
   * objects: the caller ends each line.
   */
  static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8);
    json.setRootValueSeparator(null);
    return json;
  }

  /**
   * Writes one labelled event as a JSON object, on a generator from {@link #generator}.
   *
   * @param json where to write
   * @param e the event
   * @param churn whether the event is on a churn page
   * @param label 1 if the event's user churned, else 0
   */
  static void write(JsonGenerator json, SparkifyEvent e, boolean churn, int label)
      throws IOException {
    json.writeStartObject();
    json.writeBooleanField("churn", churn);
    json.writeNumberField("label", label);
    string(json, "artist", e.getArtist());
    string(json, "auth", e.getAuth());
    string(json, "firstName", e.getFirstName());
    string(json, "gender", e.getGender());
    number(json, "itemInSession", e.getItemInSession());
    string(json, "lastName", e.getLastName());
    json.writeFieldName("length");
    if (e.getLength() == null) {
      json.writeNull();
    } else {
      json.writeNumber(e.getLength());
    }
    string(json, "level", e.getLevel());
    string(json, "location", e.getLocation());
    string(json, "method", e.getMethod());
    string(json, "page", e.getPage());
    number(json, "registration", e.getRegistration());
    number(json, "sessionId", e.getSessionId());
    string(json, "song", e.getSong());
    number(json, "status", e.getStatus());
    json.writeNumberField("ts", e.getTs());
    string(json, "userAgent", e.getUserAgent());
    string(json, "userId", e.getUserId());
    json.writeEndObject();
  }

  private static void string(JsonGenerator json, String field, String value) throws IOException {
    json.writeFieldName(field);
    if (value == null) {
      json.writeNull();
    } else if (hasOnlyPairedSurrogates(value)) {
      // Jackson 2.15's UTF-8 generator writes each half of a surrogate pair as a \\uXXXX escape
      // (jackson-core#223); WriteRecords writes the character's four UTF-8 bytes. Given the bytes,
      // the generator copies them and escapes only what JSON requires, as writeString does.
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      json.writeUTF8String(utf8, 0, utf8.length);
    } else {
      json.writeString(value);
    }
  }

  /**
   * True when {@code text} holds a surrogate pair and no unpaired surrogate. Text with an unpaired
   * surrogate, which UTF-8 cannot encode, keeps Jackson's escapes, so nothing is lost.
   */
  private static boolean hasOnlyPairedSurrogates(String text) {
    boolean paired = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        paired = true;
        i++;
      } else {
        return false;
      }
    }
    return paired;
  }

  private static void number(JsonGenerator json, String field, Long value) throws IOException {
    json.writeFieldName(field);
    if (value == null) {
      json.writeNull();
    } else {
      json.writeNumber(value);
    }
  }
}
