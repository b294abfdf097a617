package dev.sluice.io;

import java.io.Serializable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns the records of a file into the values of type {@code T} a pipeline works with, whatever the
 * file's {@link FileFormat}: a JSON line through {@link #fromJson}, a record of a columnar format
 * (Parquet) through {@link #fromRow}. This is what a domain adds to a {@link RecordReader}: the
 * readers know formats, the decoders know events, page views or diff records.
 *
 * <p>A record that is not a valid {@code T} throws {@link InvalidRecordException} with the reason;
 * the reader sends it to the dead letter with the original record and goes on.
 *
 * @param <T> the decoded value
 */
public interface RecordDecoder<T> extends Serializable {

  /**
   * The columns to read, with the Beam types to read them as (all nullable): a columnar reader
   * reads only these (a projection) and gives null for a column the file does not have. Null asks
   * for every column the file has, with the types the file gives them.
   */
  @Nullable Schema columns();

  /**
   * Decodes one line of JSON lines.
   *
   * @param line the line, without its terminator, not blank
   * @return the value
   * @throws InvalidRecordException with a one-line reason when the line is not a valid value
   */
  T fromJson(String line) throws InvalidRecordException;

  /**
   * Decodes one record of a columnar file.
   *
   * @param row the record's {@link #columns()} (or every column), null where the file has none
   * @return the value
   * @throws InvalidRecordException with a one-line reason when the row is not a valid value
   */
  T fromRow(Row row) throws InvalidRecordException;

  /** The name of the step written into the dead letters of invalid records. */
  String step();

  /**
   * The coder of the decoded values.
   *
   * @param pipeline the pipeline, whose registries give schema coders
   */
  Coder<T> coder(Pipeline pipeline);

  /**
   * This decoder bound to one file, for decoders whose values depend on where a record was read
   * (such as the partition values of a Hive path). The default ignores the path.
   *
   * @param path the file's full path or URI
   * @return the decoder to use for the records of that file
   */
  default RecordDecoder<T> forFile(String path) {
    return this;
  }
}
