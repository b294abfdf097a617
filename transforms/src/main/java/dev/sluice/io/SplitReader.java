package dev.sluice.io;

import dev.sluice.deadletter.DeadLetter;
import java.io.IOException;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Reads one {@link FileSplit} with its format's {@link RecordReader} and a {@link RecordDecoder}:
 * decoded values to one consumer, rejected records and an unreadable file as {@link DeadLetter}s to
 * another, each counted in {@link ReadRecords}'s namespace ({@value ReadRecords#FILES_READ},
 * {@value ReadRecords#RECORDS_READ}, {@value ReadRecords#BAD_RECORDS}, {@value
 * ReadRecords#BLANK_LINES_SKIPPED}, {@value ReadRecords#UNREADABLE_FILES}). The reading half of
 * {@link ReadRecords}, for {@code DoFn}s that read files and do more with each value in the same
 * step (combine it, label it) so that no value crosses a step.
 *
 * <p>A split that fails to read gives one dead letter with the file's path as payload; the values
 * read before stay given, and the reason says how many. An exception thrown by a consumer is not
 * the file's fault and is thrown on. A reader {@link #uncounted() without counts} gives no dead
 * letter and counts nothing, for a second pass over files a first pass already reported.
 *
 * <p>Use it from a {@code DoFn}'s {@code @ProcessElement}, where Beam metrics can be counted.
 */
public final class SplitReader<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RecordDecoder<T> decoder;
  private final String unreadableFileStep;
  private final boolean counted;
  private final Counter filesRead = Metrics.counter(ReadRecords.class, ReadRecords.FILES_READ);
  private final Counter recordsRead = Metrics.counter(ReadRecords.class, ReadRecords.RECORDS_READ);
  private final Counter badRecords = Metrics.counter(ReadRecords.class, ReadRecords.BAD_RECORDS);
  private final Counter blankLines =
      Metrics.counter(ReadRecords.class, ReadRecords.BLANK_LINES_SKIPPED);
  private final Counter unreadableFiles =
      Metrics.counter(ReadRecords.class, ReadRecords.UNREADABLE_FILES);

  private SplitReader(RecordDecoder<T> decoder, String unreadableFileStep, boolean counted) {
    this.decoder = decoder;
    this.unreadableFileStep = unreadableFileStep;
    this.counted = counted;
  }

  /**
   * A reader that decodes with {@code decoder}, counts, and writes {@code unreadableFileStep} into
   * the dead letters of unreadable files.
   */
  public static <T> SplitReader<T> of(RecordDecoder<T> decoder, String unreadableFileStep) {
    return new SplitReader<>(decoder, unreadableFileStep, true);
  }

  /** This reader, giving no dead letters and counting nothing. */
  public SplitReader<T> uncounted() {
    return new SplitReader<>(decoder, unreadableFileStep, false);
  }

  /**
   * Reads {@code split}.
   *
   * @param split the split
   * @param values receives each decoded value
   * @param deadLetters receives each rejected record and, if the split cannot be read to its end,
   *     one dead letter for the file
   */
  public void read(FileSplit split, Consumer<T> values, Consumer<DeadLetter> deadLetters) {
    if (counted && split.isFirst()) {
      filesRead.inc();
    }
    Receiver receiver = new Receiver(split.path(), values, deadLetters);
    try {
      split.format().reader().read(split, decoder.forFile(split.path()), receiver);
    } catch (IOException | RuntimeException e) {
      if (receiver.consuming) {
        throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
      }
      if (counted) {
        unreadableFiles.inc();
        deadLetters.accept(unreadableFile(split, unreadableFileStep, receiver.records, e));
      }
    }
  }

  /**
   * The dead letter of a split that could not be read to its end: the file's path as source and
   * payload, and as reason the first line of the error with how many records were read before it.
   *
   * @param split the split
   * @param step the step that read it
   * @param records records read from the split before the error
   * @param error why it could not be read
   */
  public static DeadLetter unreadableFile(
      FileSplit split, String step, long records, Throwable error) {
    return unreadableFile(split.path(), step, records, error);
  }

  /**
   * The dead letter of a file that failed after {@code records} records, as {@link
   * #unreadableFile(FileSplit, String, long, Throwable)} makes it, for readers of whole files.
   */
  public static DeadLetter unreadableFile(String path, String step, long records, Throwable error) {
    return DeadLetter.of(
        path, step, "unreadable file (after " + records + " records): " + oneLine(error), path);
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Counts what the format's reader gives and passes it on. */
  private final class Receiver implements RecordReader.Receiver<T> {
    private final String path;
    private final Consumer<T> values;
    private final Consumer<DeadLetter> deadLetters;
    long records;
    boolean consuming;

    Receiver(String path, Consumer<T> values, Consumer<DeadLetter> deadLetters) {
      this.path = path;
      this.values = values;
      this.deadLetters = deadLetters;
    }

    @Override
    public void output(T value) {
      records++;
      if (counted) {
        recordsRead.inc();
      }
      consuming = true;
      values.accept(value);
      consuming = false;
    }

    @Override
    public void badRecord(String payload, String reason) {
      records++;
      if (!counted) {
        return;
      }
      recordsRead.inc();
      badRecords.inc();
      consuming = true;
      deadLetters.accept(DeadLetter.of(path, decoder.step(), reason, payload));
      consuming = false;
    }

    @Override
    public void blankLine() {
      if (counted) {
        blankLines.inc();
      }
    }
  }
}
