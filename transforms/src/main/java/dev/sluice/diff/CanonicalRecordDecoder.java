package dev.sluice.diff;

import dev.sluice.io.RecordDecoder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

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
}
