package dev.sluice.io;

import dev.sluice.deadletter.DeadLetter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Reads each {@link FileSplit} through a {@link SplitReader}: decoded values to the main output,
 * rejected records and unreadable files to the dead letter, counted as {@link SplitReader} counts
 * them.
 */
final class ReadRecordsFn<T> extends DoFn<FileSplit, T> {

  private final SplitReader<T> reader;
  private final TupleTag<T> records;
  private final TupleTag<DeadLetter> failures;

  ReadRecordsFn(
      RecordDecoder<T> decoder,
      String unreadableFileStep,
      TupleTag<T> records,
      TupleTag<DeadLetter> failures) {
    this.reader = SplitReader.of(decoder, unreadableFileStep);
    this.records = records;
    this.failures = failures;
  }

  @ProcessElement
  public void processElement(@Element FileSplit split, MultiOutputReceiver out) {
    reader.read(split, out.get(records)::output, out.get(failures)::output);
  }
}
