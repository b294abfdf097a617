package dev.sluice.io;

/**
 * A record that cannot be turned into the value a pipeline wants: not JSON, a missing required
 * field, a field of the wrong type. The message is the one-line reason that the record's dead
 * letter carries. Thrown by {@link RecordDecoder}s; readers route the record to the dead letter and
 * go on with the next one.
 */
public class InvalidRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param reason why the record is invalid, in one line
   */
  public InvalidRecordException(String reason) {
    super(reason, null, false, false);
  }
}
