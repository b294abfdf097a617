package dev.sluice.io;

import java.io.IOException;
import java.io.Serializable;

/**
 * Reads the records of one file split of one {@link FileFormat}, decoding each through a {@link
 * RecordDecoder}: every record met goes to {@link Receiver#output} or, when the decoder rejects it,
 * to {@link Receiver#badRecord} with the original record and the reason.
 *
 * <p>Implementations are stateless and serializable; one instance serves every file of its format.
 * An {@link IOException} (or another exception) means the rest of the split cannot be read: the
 * caller turns it into one dead letter for the file, and keeps the records already given.
 */
public interface RecordReader extends Serializable {

  /** Where a reader sends what it reads. */
  interface Receiver<T> {
    /** A decoded record. */
    void output(T value);

    /** A record the decoder rejected: the original record, as text, and the one-line reason. */
    void badRecord(String payload, String reason);

    /** An empty or whitespace-only line of a text format: no record, skipped on purpose. */
    void blankLine();
  }

  /**
   * True when an uncompressed file of this format can be read in independent byte ranges ({@link
   * FileSplit}s), so that one large file is read by several workers.
   */
  boolean isSplittable();

  /**
   * Reads the records of a split.
   *
   * @param split the file and the byte range to read (the whole file when not splittable)
   * @param decoder turns records into values, already bound to the split's file
   * @param out where records and rejected records go
   * @throws IOException if the file cannot be read to the end of the split
   */
  <T> void read(FileSplit split, RecordDecoder<T> decoder, Receiver<T> out) throws IOException;
}
