package dev.sluice.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.io.RecordDecoder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.ReadableInstant;

/**
 * Reads every record as {@link Diff#canonicalJson} text, whatever its format, so that two outputs
 * compare record by record. Nothing is rejected: a line that is not JSON compares as its text.
 */
final class CanonicalRecordDecoder implements RecordDecoder<String> {
  private static final long serialVersionUID = 1L;

  @Override
  public @Nullable Schema columns() {
    return null;
  }

  @Override
  public String fromJson(String line) {
    return Diff.canonicalJson(line);
  }

  @Override
  public String fromRow(Row row) {
    return Diff.canonicalJson(row);
  }

  @Override
  public String step() {
    return "Diff";
  }

  @Override
  public Coder<String> coder(Pipeline pipeline) {
    return StringUtf8Coder.of();
  }

  /** {@link Diff#canonicalJson(Row)}, written by {@code mapper} (which sorts keys). */
  static String canonicalJson(Row row, ObjectMapper mapper) {
    try {
      return mapper.writeValueAsString(plain(row));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + row + " as JSON", e);
    }
  }

  /** A row value as the plain Java value Jackson writes: maps, lists, strings, numbers. */
  private static Object plain(Object value) {
    if (value instanceof Row) {
      Row row = (Row) value;
      Map<String, Object> fields = new TreeMap<>();
      for (int i = 0; i < row.getFieldCount(); i++) {
        fields.put(row.getSchema().getField(i).getName(), plain(row.getValue(i)));
      }
      return fields;
    }
    if (value instanceof Map) {
      Map<String, Object> entries = new TreeMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> entries.put(String.valueOf(plain(k)), plain(v)));
      return entries;
    }
    if (value instanceof Iterable) {
      List<Object> items = new ArrayList<>();
      ((Iterable<?>) value).forEach(item -> items.add(plain(item)));
      return items;
    }
    if (value instanceof ReadableInstant) {
      return ((ReadableInstant) value).toInstant().toString();
    }
    if (value instanceof byte[]) {
      return Base64.getEncoder().encodeToString((byte[]) value);
    }
    return value;
  }
}
