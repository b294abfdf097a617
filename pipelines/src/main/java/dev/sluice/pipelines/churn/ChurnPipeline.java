package dev.sluice.pipelines.churn;

import dev.sluice.churn.EventTimeRange;
import dev.sluice.churn.LabelChurn;
import dev.sluice.churn.LabelChurnFiles;
import dev.sluice.churn.LabelChurnFilesAsJson;
import dev.sluice.churn.LabelledEvent;
import dev.sluice.churn.SparkifyEvent;
import dev.sluice.churn.SparkifyEventDecoder;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FilePlan;
import dev.sluice.io.HivePartitionPlan;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.pageviews.TimeArguments;
import dev.sluice.pipelines.report.PipelineRun;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import dev.sluice.pipelines.report.SummaryKey;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The {@code churn} pipeline: a Sparkify-format event log in (JSON lines, plain or compressed, or
 * Parquet, mixed as they come); under {@code --output}, the directories {@code labelled/}, {@code
 * stayed/}, {@code cancelled/} and {@code dead-letter/} (JSON lines or Parquet) and {@code
 * summary.json}.
 *
 * <p>Steps: {@code LabelChurn} ({@link LabelChurnFiles}: the input listed once, read in two passes
 * with the {@link SparkifyEventDecoder}, the first finding the churned users and sending bad
 * records and unreadable files to the dead letter, the second labelling each event as it is read;
 * JSON outputs written by that second pass itself, {@link LabelChurnFilesAsJson}, Parquet ones by
 * one {@code Write...} step per output), and {@code WriteDeadLetters}. Churn rules are those of
 * {@link LabelChurn}; {@link #labelChurn} builds the same outputs from events already read. At the
 * end the run's counters are written to {@code summary.json} and printed as a table; {@code
 * events_read = labelled_events + guest_events_skipped + bad_events} and {@code labelled_events =
 * stayed_events + cancelled_events} are checked, and a run that breaks them fails.
 *
 * <p>Run it through the {@code sluice} command ({@code sluice churn --input=... --output=...}) or
 * call {@link #run(Options)}; tests that want no I/O call {@link #labelChurn}.
 */
public final class ChurnPipeline {

  /** Output directory names under {@code --output}. */
  public static final String LABELLED = LabelChurnFilesAsJson.LABELLED;

  /** Events of users who stayed. */
  public static final String STAYED = LabelChurnFilesAsJson.STAYED;

  /** Events of users who churned. */
  public static final String CANCELLED = LabelChurnFilesAsJson.CANCELLED;

  /** Rejected records with their source and reason. */
  public static final String DEAD_LETTER = PipelineRun.DEAD_LETTER;

  /** The run summary file. */
  public static final String SUMMARY = RunSummary.FILE;

  private ChurnPipeline() {}

  /** Options of the {@code churn} pipeline. */
  public interface Options extends S3StoreOptions, RunOptions {
    @Description(
        "Sparkify-format event log to read: JSON lines (plain, .gz or another compression) or "
            + ".parquet files; a file, a directory or a glob (quote it), local path or URI.")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description(
        "Output directory; labelled/, stayed/, cancelled/, dead-letter/, summary.json and, last, "
            + "_SUCCESS are written under it. An earlier run's folders of those names are deleted "
            + "first; other files are left alone.")
    @Validation.Required
    String getOutput();

    void setOutput(String output);

    @Description(
        "Output file format: json (JSON lines, one object per line), json.gz (the same, gzip) "
            + "or parquet (Snappy).")
    @Default.String("json")
    String getFormat();

    void setFormat(String format);

    @Description(
        "Pages that mark a user as churned, comma-separated; a user churned when any of their "
            + "events is on one of them. Default: Cancellation Confirmation.")
    @Default.InstanceFactory(DefaultChurnPages.class)
    List<String> getChurnPages();

    void setChurnPages(List<String> churnPages);

    @Description(
        "Event-time range [from, to), ISO-8601 UTC (2018-10-01 or 2018-10-01T10:00:00Z): events "
            + "outside are skipped and counted, and users are labelled by their events inside. "
            + "With either, --input is read as a tree (every file under it), and the partitions "
            + "of a Hive tree by date (year=/month=/day=/hour=, as convert writes it) that fall "
            + "outside are never opened.")
    String getFrom();

    void setFrom(String from);

    @Description("End of the event-time range (exclusive); see --from.")
    String getTo();

    void setTo(String to);
  }

  /** Default of {@code --churnPages}: {@value LabelChurn#DEFAULT_CHURN_PAGE}. */
  public static final class DefaultChurnPages implements DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of(LabelChurn.DEFAULT_CHURN_PAGE);
    }
  }

  /** The counts of {@code summary.json}, in its order. */
  public enum Count implements SummaryKey {
    /** Records read: events, guest events and bad records. */
    EVENTS_READ,
    /** Blank lines of JSON files, skipped on purpose. */
    BLANK_LINES_SKIPPED,
    /** Events without a user id, skipped on purpose. */
    GUEST_EVENTS_SKIPPED,
    /** Events outside {@code --from}/{@code --to}, skipped on purpose. */
    OUTSIDE_TIME_RANGE,
    /** Hive partitions never opened, because they lie outside {@code --from}/{@code --to}. */
    PRUNED_PARTITIONS,
    /** Records that are not valid events (one dead letter each). */
    BAD_EVENTS,
    /** Files that could not be read to the end (one dead letter each). */
    UNREADABLE_FILES,
    /** All dead letters: bad events and unreadable files. */
    DEAD_LETTERS,
    /** Events of known users, labelled. */
    LABELLED_EVENTS,
    /** Events of users who stayed. */
    STAYED_EVENTS,
    /** Events of users who churned. */
    CANCELLED_EVENTS,
    /** Users who churned. */
    CHURNED_USERS,
    /** Users who stayed. */
    STAYED_USERS
  }

  /** The outputs of the churn graph, before they are written. */
  public static final class Outputs {
    private final LabelChurn.Result churn;
    private final PCollection<DeadLetter> deadLetters;

    Outputs(LabelChurn.Result churn, PCollection<DeadLetter> deadLetters) {
      this.churn = churn;
      this.deadLetters = deadLetters;
    }

    /** Every event of a known user, labelled. */
    public PCollection<LabelledEvent> labelled() {
      return churn.labelled();
    }

    /** Events of users who stayed. */
    public PCollection<LabelledEvent> stayed() {
      return churn.stayed();
    }

    /** Events of users who churned. */
    public PCollection<LabelledEvent> cancelled() {
      return churn.cancelled();
    }

    /** Records that were not valid events, and unreadable files. */
    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }
  }

  /**
   * Parses options for this pipeline and checks them before anything runs. The input is listed
   * once, by {@link #run}, which reports an input that names no file before the pipeline starts.
   *
   * @param args command-line arguments such as {@code --input=events.json --output=out}
   * @return validated options
   * @throws IllegalArgumentException with a one-line message for an unknown or missing option, or a
   *     bad format or churn page list
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    validate(options);
    return options;
  }

  /**
   * Checks option values and combinations: the format and the churn pages, and that every {@code
   * s3://} path's bucket answers.
   *
   * @throws IllegalArgumentException with a one-line message when an option is unusable
   */
  public static void validate(Options options) {
    FileFormat.parse(options.getFormat());
    LabelChurn.create().withChurnPages(options.getChurnPages());
    timeRange(options);
    S3Store.prepare(options, options.getInput(), options.getOutput());
  }

  /**
   * Builds the churn graph from events already read: events and the read's dead letters in, the
   * labelled, stayed, cancelled and dead-letter collections out.
   *
   * @param events events and rejected records, as from {@code ReadRecords}
   * @param churnPages pages that mark churn
   * @return the outputs
   */
  public static Outputs labelChurn(
      WithFailures.Result<PCollection<SparkifyEvent>, DeadLetter> events, List<String> churnPages) {
    LabelChurn.Result churn =
        events.output().apply("LabelChurn", LabelChurn.create().withChurnPages(churnPages));
    return new Outputs(churn, events.failures());
  }

  /**
   * Lists the input, builds, runs and waits for the pipeline, then writes and prints its summary.
   *
   * @param options validated options (see {@link #parseOptions})
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalArgumentException with a one-line message, before the pipeline starts, if the
   *     input names no file
   * @throws IllegalStateException if the run does not finish in state DONE, or its counts do not
   *     add up
   * @throws IOException if the summary cannot be written
   */
  public static @Nullable PipelineResult run(Options options) throws IOException {
    PipelineRun run =
        PipelineRun.start(
                "churn",
                options,
                options.getInput(),
                options.getOutput(),
                FileFormat.parse(options.getFormat()))
            .replacing(LABELLED, STAYED, CANCELLED, DEAD_LETTER);
    Instant from = TimeArguments.instant(options.getFrom());
    Instant to = TimeArguments.instant(options.getTo());
    EventTimeRange range = EventTimeRange.of(from, to);
    HivePartitionPlan tree =
        range.isAll() ? null : HivePartitionPlan.list(options.getInput()).withTimeRange(from, to);
    FilePlan input = tree == null ? FilePlan.list(options.getInput()) : tree.filePlan();
    run.reading(input.files());
    if (input.isEmpty()) {
      throw new IllegalArgumentException("no input file matches --input=" + options.getInput());
    }
    LabelChurnFiles labelling =
        LabelChurnFiles.of(input).withChurnPages(options.getChurnPages()).withTimeRange(range);
    PCollection<DeadLetter> deadLetters;
    if (run.format().isText()) {
      deadLetters =
          run.pipeline()
              .apply(
                  "LabelChurn",
                  LabelChurnFilesAsJson.of(labelling, options.getOutput(), run.format()))
              .failures();
    } else {
      WithFailures.Result<LabelChurn.Result, DeadLetter> churn =
          run.pipeline().apply("LabelChurn", labelling);
      write(churn.output().labelled(), "WriteLabelled", run, LABELLED);
      write(churn.output().stayed(), "WriteStayed", run, STAYED);
      write(churn.output().cancelled(), "WriteCancelled", run, CANCELLED);
      deadLetters = churn.failures();
    }
    run.writeDeadLetters(deadLetters);
    return run.execute(
        RunProgress.of("churn")
            .withEventsRead(MetricName.named(ReadRecords.class, ReadRecords.RECORDS_READ))
            .withDeadLetters(
                MetricName.named(ReadRecords.class, ReadRecords.BAD_RECORDS),
                MetricName.named(ReadRecords.class, ReadRecords.UNREADABLE_FILES)),
        (summary, result) -> summarize(summary, result, tree == null ? 0 : tree.prunedPartitions()),
        ChurnPipeline::checkBalanced);
  }

  private static void write(
      PCollection<LabelledEvent> events, String step, PipelineRun run, String directory) {
    events.apply(
        step, WriteRecords.<LabelledEvent>to(run.output(directory)).withFormat(run.format()));
  }

  /**
   * The event-time range of {@code --from} and {@code --to}.
   *
   * @throws IllegalArgumentException if either is not ISO-8601, or the range is empty
   */
  static EventTimeRange timeRange(Options options) {
    return EventTimeRange.of(
        TimeArguments.instant(options.getFrom()), TimeArguments.instant(options.getTo()));
  }

  /** Adds the run's counts, read from its counters. */
  static void summarize(RunSummary.Builder summary, PipelineResult result, int prunedPartitions) {
    long bad = read(result, ReadRecords.BAD_RECORDS);
    long unreadable = read(result, ReadRecords.UNREADABLE_FILES);
    summary
        .count(Count.EVENTS_READ, read(result, ReadRecords.RECORDS_READ))
        .count(Count.BLANK_LINES_SKIPPED, read(result, ReadRecords.BLANK_LINES_SKIPPED))
        .count(Count.GUEST_EVENTS_SKIPPED, churn(result, LabelChurn.GUEST_EVENTS_SKIPPED))
        .count(Count.OUTSIDE_TIME_RANGE, churn(result, LabelChurn.OUTSIDE_TIME_RANGE))
        .count(Count.PRUNED_PARTITIONS, prunedPartitions)
        .count(Count.BAD_EVENTS, bad)
        .count(Count.UNREADABLE_FILES, unreadable)
        .count(Count.DEAD_LETTERS, bad + unreadable)
        .count(Count.LABELLED_EVENTS, churn(result, LabelChurn.LABELLED_EVENTS))
        .count(Count.STAYED_EVENTS, churn(result, LabelChurn.STAYED_EVENTS))
        .count(Count.CANCELLED_EVENTS, churn(result, LabelChurn.CANCELLED_EVENTS))
        .count(Count.CHURNED_USERS, churn(result, LabelChurn.CHURNED_USERS))
        .count(Count.STAYED_USERS, churn(result, LabelChurn.STAYED_USERS));
  }

  private static long read(PipelineResult result, String name) {
    return RunSummary.counter(result, ReadRecords.class, name);
  }

  private static long churn(PipelineResult result, String name) {
    return RunSummary.counter(result, LabelChurn.class, name);
  }

  /** Fails when events read differ from labelled + guests + bad events, or labelled is split. */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count(Count.EVENTS_READ);
    long accounted =
        summary.count(Count.LABELLED_EVENTS)
            + summary.count(Count.GUEST_EVENTS_SKIPPED)
            + summary.count(Count.OUTSIDE_TIME_RANGE)
            + summary.count(Count.BAD_EVENTS);
    long labelled = summary.count(Count.LABELLED_EVENTS);
    long split = summary.count(Count.STAYED_EVENTS) + summary.count(Count.CANCELLED_EVENTS);
    if (read != accounted || labelled != split) {
      throw new IllegalStateException(
          "counts do not add up: events_read "
              + read
              + " != labelled + guests + outside the time range + bad events "
              + accounted
              + ", or labelled "
              + labelled
              + " != stayed + cancelled "
              + split);
    }
  }
}
