package dev.sluice.churn;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A {@link LabelledEvent} as the JSON object {@code WriteRecords} writes for it (Beam's {@code
 * ToJson} of the row {@code Select.flattenedSchema()} makes of it): {@code churn} and {@code
 * label}, then the Sparkify columns in order; absent values as {@code null}; no spaces.
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
    } else {
      json.writeString(value);
    }
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
