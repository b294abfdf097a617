package dev.sluice.pipelines.convert;

import dev.sluice.churn.SparkifyEvent;
import dev.sluice.churn.SparkifyEventDecoder;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.ConvertFiles;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FilePlan;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.WriteHivePartitioned;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.report.PipelineRun;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import dev.sluice.pipelines.report.SummaryKey;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code sluice convert}: a Sparkify-format event log (JSON lines, plain or compressed, or Parquet)
 * to Parquet with the event schema ({@link SparkifyEvent}'s columns, in Sparkify's order), zstd by
 * default, as a Hive tree by event date with {@code --partitionBy}.
 *
 * <pre>
 * OUTPUT/events/year=2018/month=10/day=01/part-SSSSS-of-NNNNN.parquet   (--partitionBy=day)
 * OUTPUT/events/year=2018/month=10/day=01/hour=07/part-....parquet      (--partitionBy=hour)
 * OUTPUT/events/part-SSSSS-of-NNNNN.parquet                             (--partitionBy=none)
 * OUTPUT/dead-letter/part-...json                                       records that are not events
 * OUTPUT/summary.json, then OUTPUT/_SUCCESS
 * </pre>
 *
 * <p>Partitions are by {@code ts} (epoch milliseconds) in UTC, named as {@code HivePartitionPlan}
 * prunes them. Records that are not events, and files that cannot be read, go to the dead letter as
 * {@code churn} routes them; guest events are events and are kept. The run checks {@code
 * events_read = events_written + bad_events}. {@code churn} reads the tree as it reads the JSON
 * ({@code --input='OUTPUT/events/**}{@code /*.parquet'}) and gives the same outputs.
 *
 * <p>One step reads and writes ({@link ConvertFiles}): each worker appends the events of a chunk of
 * files to its bundle's Parquet file of each partition, so no event crosses a step; 3M events
 * convert on the DirectRunner with a 3 GB heap.
 */
public final class ConvertPipeline {

  /** The tree of events under {@code --output}. */
  public static final String EVENTS = "events";

  /** The dead letters under {@code --output}. */
  public static final String DEAD_LETTER = PipelineRun.DEAD_LETTER;

  private ConvertPipeline() {}

  /** Options of the {@code convert} pipeline. */
  public interface Options extends S3StoreOptions, RunOptions {
    @Description(
        "Sparkify-format event log to convert: JSON lines (plain, .gz or another compression) or "
            + ".parquet files; a file, a directory or a glob (quote it), local path or URI.")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description(
        "Output directory; events/ (the Parquet tree), dead-letter/, summary.json and, last, "
            + "_SUCCESS are written under it. An earlier run's folders of those names are deleted "
            + "first; other files are left alone.")
    @Validation.Required
    String getOutput();

    void setOutput(String output);

    @Description("Parquet compression: zstd, snappy, gzip or none.")
    @Default.String("zstd")
    String getCodec();

    void setCodec(String codec);

    @Description(
        "Hive partitions by event date (ts, UTC): day (year=/month=/day=), hour (and hour=) or "
            + "none.")
    @Default.String("none")
    String getPartitionBy();

    void setPartitionBy(String partitionBy);
  }

  /** The counts of {@code summary.json}, in its order. */
  public enum Count implements SummaryKey {
    /** Records read: events and bad records. */
    EVENTS_READ,
    /** Blank lines of JSON files, skipped on purpose. */
    BLANK_LINES_SKIPPED,
    /** Records that are not valid events (one dead letter each). */
    BAD_EVENTS,
    /** Files that could not be read to the end (one dead letter each). */
    UNREADABLE_FILES,
    /** All dead letters: bad events and unreadable files. */
    DEAD_LETTERS,
    /** Events written to the Parquet tree. */
    EVENTS_WRITTEN
  }

  /** The settings of {@code summary.json} besides input, output and format. */
  public enum Setting implements SummaryKey {
    /** The Parquet codec. */
    CODEC,
    /** The partitioning. */
    PARTITION_BY
  }

  /**
   * Parses and checks options.
   *
   * @throws IllegalArgumentException with a one-line message for an unknown, missing or bad option
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    WriteHivePartitioned.codec(options.getCodec());
    partitionOf(options.getPartitionBy());
    S3Store.prepare(options, options.getInput(), options.getOutput());
    return options;
  }

  /**
   * The partition path of an event row by {@code partitionBy}: {@code day}, {@code hour} or {@code
   * none}.
   *
   * @throws IllegalArgumentException for another name
   */
  static SerializableFunction<Row, String> partitionOf(String partitionBy) {
    switch (String.valueOf(partitionBy).trim().toLowerCase(Locale.ROOT)) {
      case "day":
        return row -> DAY.format(Instant.ofEpochMilli(ts(row)));
      case "hour":
        return row -> HOUR.format(Instant.ofEpochMilli(ts(row)));
      case "none":
        return row -> "";
      default:
        throw new IllegalArgumentException(
            "unknown --partitionBy '" + partitionBy + "': expected day, hour or none");
    }
  }

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("'year='yyyy/'month='MM/'day='dd", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("'year='yyyy/'month='MM/'day='dd/'hour='HH", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static long ts(Row row) {
    Long ts = row.getInt64("ts");
    if (ts == null) {
      throw new IllegalStateException("an event without ts reached the write: " + row);
    }
    return ts;
  }

  /**
   * Lists the input, builds, runs and waits for the pipeline, then writes and prints its summary.
   *
   * @param options validated options (see {@link #parseOptions})
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalArgumentException with a one-line message, before the pipeline starts, if the
   *     input names no file or lies in the output's folders
   * @throws IllegalStateException if the run does not finish in state DONE, or its counts do not
   *     add up
   * @throws IOException if the summary cannot be written
   */
  public static @Nullable PipelineResult run(Options options) throws IOException {
    PipelineRun run =
        PipelineRun.start(
                "convert", options, options.getInput(), options.getOutput(), FileFormat.JSON)
            .replacing(EVENTS, DEAD_LETTER);
    FilePlan input = FilePlan.list(options.getInput());
    if (input.isEmpty()) {
      throw new IllegalArgumentException("no input file matches --input=" + options.getInput());
    }
    run.reading(input.files());
    WithFailures.Result<PCollection<String>, DeadLetter> events =
        run.pipeline()
            .apply(
                "ConvertEvents",
                ConvertFiles.of(
                    input,
                    new SparkifyEventDecoder(),
                    WriteHivePartitioned.<SparkifyEvent>to(
                            run.output(EVENTS), partitionOf(options.getPartitionBy()))
                        .withCodec(WriteHivePartitioned.codec(options.getCodec()))));
    run.writeDeadLetters(events.failures());
    return run.execute(
        RunProgress.of("convert")
            .withEventsRead(MetricName.named(ReadRecords.class, ReadRecords.RECORDS_READ))
            .withDeadLetters(
                MetricName.named(ReadRecords.class, ReadRecords.BAD_RECORDS),
                MetricName.named(ReadRecords.class, ReadRecords.UNREADABLE_FILES)),
        (summary, result) -> summarize(summary, options, result),
        ConvertPipeline::checkBalanced);
  }

  private static void summarize(
      RunSummary.Builder summary, Options options, PipelineResult result) {
    long bad = read(result, ReadRecords.BAD_RECORDS);
    long unreadable = read(result, ReadRecords.UNREADABLE_FILES);
    summary
        .setting(Setting.CODEC, options.getCodec())
        .setting(Setting.PARTITION_BY, options.getPartitionBy())
        .count(Count.EVENTS_READ, read(result, ReadRecords.RECORDS_READ))
        .count(Count.BLANK_LINES_SKIPPED, read(result, ReadRecords.BLANK_LINES_SKIPPED))
        .count(Count.BAD_EVENTS, bad)
        .count(Count.UNREADABLE_FILES, unreadable)
        .count(Count.DEAD_LETTERS, bad + unreadable)
        .count(
            Count.EVENTS_WRITTEN,
            RunSummary.counter(result, ConvertFiles.class, ConvertFiles.RECORDS_WRITTEN));
  }

  private static long read(PipelineResult result, String name) {
    return RunSummary.counter(result, ReadRecords.class, name);
  }

  /** Fails when events read differ from events written + bad events. */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count(Count.EVENTS_READ);
    long accounted = summary.count(Count.EVENTS_WRITTEN) + summary.count(Count.BAD_EVENTS);
    if (read != accounted) {
      throw new IllegalStateException(
          "counts do not add up: events_read "
              + read
              + " != events_written + bad_events "
              + accounted);
    }
  }
}
