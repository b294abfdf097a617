package dev.sluice.io;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads the records of files of any {@link FileFormat} into values: {@code PBegin} in, a {@code
 * WithFailures.Result} out whose {@code output()} is a {@code PCollection<T>} (with the decoder's
 * coder) and whose {@code failures()} is the {@code PCollection<DeadLetter>} of rejected records
 * and unreadable files.
 *
 * <p>The files are those of a {@link FilePlan}, listed once on the launcher when the transform is
 * made; each file is read in its format by that format's {@link RecordReader}, and each record
 * becomes a {@code T} through the {@link RecordDecoder}. A file may mix formats with its neighbours
 * (JSON lines beside gzip JSON lines beside Parquet).
 *
 * <p>Errors. A record the decoder rejects gives a dead letter with the original record, the file
 * and the decoder's step and reason. A file that cannot be read to the end (corrupt, cut short, a
 * column of an unconvertible type) gives one dead letter with the file's path as payload and the
 * step {@value #STEP}; the records read from it before the error stay in the output, and the reason
 * says how many. Blank lines of text files hold no record and are skipped on purpose. Counters in
 * this class's namespace: {@value #FILES_READ}, {@value #RECORDS_READ} (every record met, good or
 * bad), {@value #BAD_RECORDS}, {@value #UNREADABLE_FILES} and {@value #BLANK_LINES_SKIPPED}, so
 * that {@code records_read = values output + bad_records}.
 *
 * <p>Each split of a file ({@link FileSplit}) is read whole by one worker; splits are spread across
 * workers. Output is in the global window, with no timestamps of interest.
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<SparkifyEvent>, DeadLetter> events =
 *     p.apply("ReadEvents", ReadRecords.from("s3://logs/sparkify/", new SparkifyEventDecoder()));
 * }</pre>
 *
 * @param <T> the decoded value
 */
@AutoValue
public abstract class ReadRecords<T>
    extends PTransform<PBegin, WithFailures.Result<PCollection<T>, DeadLetter>> {

  /** Step name written into the dead letters of unreadable files. */
  public static final String STEP = "ReadRecords";

  /** Counter of files opened. */
  public static final String FILES_READ = "files_read";

  /** Counter of records read (values output plus records rejected). */
  public static final String RECORDS_READ = "records_read";

  /** Counter of records the decoder rejected (one dead letter each). */
  public static final String BAD_RECORDS = "bad_records";

  /** Counter of file splits that could not be read to the end (one dead letter each). */
  public static final String UNREADABLE_FILES = "unreadable_files";

  /** Counter of empty or whitespace-only lines of text files, skipped on purpose. */
  public static final String BLANK_LINES_SKIPPED = "blank_lines_skipped";

  /** The files to read. */
  public abstract FilePlan plan();

  /** Turns records into values. */
  public abstract RecordDecoder<T> decoder();

  abstract Builder<T> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setPlan(FilePlan plan);

    abstract Builder<T> setDecoder(RecordDecoder<T> decoder);

    abstract ReadRecords<T> build();
  }

  /**
   * Reads the files of {@code plan}.
   *
   * @param plan the files, as listed by {@link FilePlan#list}
   * @param decoder turns records into values
   * @return the transform
   */
  public static <T> ReadRecords<T> of(FilePlan plan, RecordDecoder<T> decoder) {
    return new AutoValue_ReadRecords.Builder<T>().setPlan(plan).setDecoder(decoder).build();
  }

  /**
   * Lists the files {@code input} names now ({@link FilePlan#list}) and reads them.
   *
   * @throws IllegalArgumentException if {@code input} is blank or cannot be listed
   */
  public static <T> ReadRecords<T> from(String input, RecordDecoder<T> decoder) {
    return of(FilePlan.list(input), decoder);
  }

  @Override
  public WithFailures.Result<PCollection<T>, DeadLetter> expand(PBegin input) {
    return read(input, "ListFiles", plan().splits(), decoder(), STEP);
  }

  /**
   * The read itself: the splits as a created collection (step {@code listStep}), then one {@code
   * ReadRecords} step. Shared with {@link ReadHivePartitioned}, whose unreadable files carry its
   * own step name.
   */
  static <T> WithFailures.Result<PCollection<T>, DeadLetter> read(
      PBegin input,
      String listStep,
      List<FileSplit> splits,
      RecordDecoder<T> decoder,
      String unreadableFileStep) {
    TupleTag<T> records = new TupleTag<T>() {};
    TupleTag<DeadLetter> failures = new TupleTag<DeadLetter>() {};
    PCollectionTuple read =
        input
            .apply(listStep, Create.of(splits).withCoder(FileSplit.coder()))
            .apply(
                "ReadRecords",
                ParDo.of(new ReadRecordsFn<>(decoder, unreadableFileStep, records, failures))
                    .withOutputTags(records, TupleTagList.of(failures)));
    return WithFailures.Result.of(
        read.get(records).setCoder(decoder.coder(input.getPipeline())), read.get(failures));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("files", plan().files().size()).withLabel("Files"))
        .add(DisplayData.item("bytes", plan().bytes()).withLabel("Bytes to read"))
        .add(DisplayData.item("splits", plan().splits().size()).withLabel("Splits"))
        .add(DisplayData.item("decoder", decoder().getClass()).withLabel("Record decoder"));
    for (Map.Entry<FileFormat, Integer> format : plan().filesByFormat().entrySet()) {
      builder.add(
          DisplayData.item("files." + format.getKey(), format.getValue())
              .withLabel("Files read as " + format.getKey()));
    }
  }
}
