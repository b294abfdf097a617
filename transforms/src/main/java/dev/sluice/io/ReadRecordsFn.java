package dev.sluice.io;

import dev.sluice.deadletter.DeadLetter;
import java.io.IOException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Reads each {@link FileSplit} with its format's {@link RecordReader} and the decoder bound to its
 * file: decoded values to the main output, rejected records and unreadable files to the dead
 * letter. Counters in {@link ReadRecords}'s namespace: {@value ReadRecords#FILES_READ}, {@value
 * ReadRecords#RECORDS_READ} (every record met, good or bad), {@value ReadRecords#BAD_RECORDS},
 * {@value ReadRecords#BLANK_LINES_SKIPPED} and {@value ReadRecords#UNREADABLE_FILES}.
 *
 * <p>A split that fails to read gives one dead letter with the file's path as payload; the records
 * read from it before stay in the output, and the reason says how many. An exception thrown while a
 * value is being output is not the file's fault (a runner that chains the next step runs it inside
 * {@code output}) and fails the bundle instead.
 */
final class ReadRecordsFn<T> extends DoFn<FileSplit, T> {

  private final RecordDecoder<T> decoder;
  private final String unreadableFileStep;
  private final TupleTag<T> records;
  private final TupleTag<DeadLetter> failures;
  private final Counter filesRead = Metrics.counter(ReadRecords.class, ReadRecords.FILES_READ);
  private final Counter recordsRead = Metrics.counter(ReadRecords.class, ReadRecords.RECORDS_READ);
  private final Counter badRecords = Metrics.counter(ReadRecords.class, ReadRecords.BAD_RECORDS);
  private final Counter blankLines =
      Metrics.counter(ReadRecords.class, ReadRecords.BLANK_LINES_SKIPPED);
  private final Counter unreadableFiles =
      Metrics.counter(ReadRecords.class, ReadRecords.UNREADABLE_FILES);

  ReadRecordsFn(
      RecordDecoder<T> decoder,
      String unreadableFileStep,
      TupleTag<T> records,
      TupleTag<DeadLetter> failures) {
    this.decoder = decoder;
    this.unreadableFileStep = unreadableFileStep;
    this.records = records;
    this.failures = failures;
  }

  @ProcessElement
  public void processElement(@Element FileSplit split, MultiOutputReceiver out) {
    if (split.isFirst()) {
      filesRead.inc();
    }
    Receiver receiver = new Receiver(split.path(), out);
    try {
      split.format().reader().read(split, decoder.forFile(split.path()), receiver);
    } catch (IOException | RuntimeException e) {
      if (receiver.outputting) {
        throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
      }
      unreadableFiles.inc();
      out.get(failures)
          .output(
              DeadLetter.of(
                  split.path(),
                  unreadableFileStep,
                  "unreadable file (after " + receiver.records + " records): " + oneLine(e),
                  split.path()));
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Counts what the reader gives and sends it on. */
  private final class Receiver implements RecordReader.Receiver<T> {
    private final String path;
    private final MultiOutputReceiver out;
    long records;
    boolean outputting;

    Receiver(String path, MultiOutputReceiver out) {
      this.path = path;
      this.out = out;
    }

    @Override
    public void output(T value) {
      records++;
      recordsRead.inc();
      outputting = true;
      out.get(ReadRecordsFn.this.records).output(value);
      outputting = false;
    }

    @Override
    public void badRecord(String payload, String reason) {
      records++;
      recordsRead.inc();
      badRecords.inc();
      outputting = true;
      out.get(failures).output(DeadLetter.of(path, decoder.step(), reason, payload));
      outputting = false;
    }

    @Override
    public void blankLine() {
      blankLines.inc();
    }
  }
}
