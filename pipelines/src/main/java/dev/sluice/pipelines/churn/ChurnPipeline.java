package dev.sluice.pipelines.churn;

import dev.sluice.churn.LabelChurn;
import dev.sluice.churn.LabelledEvent;
import dev.sluice.churn.ParseSparkifyEvents;
import dev.sluice.churn.SparkifyEvent;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.ReadLines;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.report.PipelineGraph;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code churn} pipeline: Sparkify-format JSON lines in; under {@code --output}, the
 * directories {@code labelled/}, {@code stayed/}, {@code cancelled/} and {@code dead-letter/} (JSON
 * lines or Parquet) and {@code summary.json}.
 *
 * <p>Steps: {@code ReadEvents} ({@link ReadLines}), {@code ParseEvents} ({@link
 * ParseSparkifyEvents}, bad lines to the dead letter), {@code LabelChurn} ({@link LabelChurn}), and
 * one {@code Write...} step per output. Churn rules are those of {@link LabelChurn}. At the end the
 * run's counters are written to {@code summary.json} and printed as a table; {@code events_read =
 * labelled_events + guest_events_skipped + dead_letters} is checked, and a run that breaks it
 * fails.
 *
 * <p>Run it through the {@code sluice} command ({@code sluice churn --input=... --output=...}) or
 * call {@link #run(Options)}; tests that want no I/O call {@link #labelChurn}.
 */
public final class ChurnPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(ChurnPipeline.class);

  /** Output directory names under {@code --output}. */
  public static final String LABELLED = "labelled";

  /** Events of users who stayed. */
  public static final String STAYED = "stayed";

  /** Events of users who churned. */
  public static final String CANCELLED = "cancelled";

  /** Rejected lines with their source and reason. */
  public static final String DEAD_LETTER = "dead-letter";

  /** The run summary file. */
  public static final String SUMMARY = RunSummary.FILE;

  private ChurnPipeline() {}

  /** Options of the {@code churn} pipeline. */
  public interface Options extends S3StoreOptions, RunOptions {
    @Description(
        "Sparkify-format event log to read: JSON lines, plain or .gz; a file, a directory or a "
            + "glob (quote it), local path or URI.")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description(
        "Output directory; labelled/, stayed/, cancelled/, dead-letter/ and summary.json are "
            + "written under it (existing files of the same names are replaced).")
    @Validation.Required
    String getOutput();

    void setOutput(String output);

    @Description("Output file format: json (JSON lines, one object per line) or parquet (Snappy).")
    @Default.String("json")
    String getFormat();

    void setFormat(String format);

    @Description(
        "Pages that mark a user as churned, comma-separated; a user churned when any of their "
            + "events is on one of them. Default: Cancellation Confirmation.")
    @Default.InstanceFactory(DefaultChurnPages.class)
    List<String> getChurnPages();

    void setChurnPages(List<String> churnPages);
  }

  /** Default of {@code --churnPages}: {@value LabelChurn#DEFAULT_CHURN_PAGE}. */
  public static final class DefaultChurnPages implements DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of(LabelChurn.DEFAULT_CHURN_PAGE);
    }
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

    /** Lines that were not valid events. */
    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }
  }

  /**
   * Parses options for this pipeline and checks them before anything runs.
   *
   * @param args command-line arguments such as {@code --input=events.json --output=out}
   * @return validated options
   * @throws IllegalArgumentException with a one-line message for an unknown or missing option, a
   *     bad format or churn page list, or an input that matches no file
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    validate(options);
    return options;
  }

  /**
   * Checks option values and combinations: the format, the churn pages, and that the input matches
   * at least one file.
   *
   * @throws IllegalArgumentException with a one-line message when an option is unusable
   */
  public static void validate(Options options) {
    FileFormat.parse(options.getFormat());
    S3Store.prepare(options, options.getInput(), options.getOutput());
    LabelChurn.create().withChurnPages(options.getChurnPages());
    int files;
    try {
      files = ReadLines.countFiles(options.getInput());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read --input=" + options.getInput() + ": " + e.getMessage(), e);
    }
    if (files == 0) {
      throw new IllegalArgumentException("no input file matches --input=" + options.getInput());
    }
  }

  /**
   * Builds the churn graph from lines already read: {@code PCollection<KV<String, String>>} of
   * (source file, line) in, the labelled, stayed, cancelled and dead-letter collections out.
   *
   * @param lines the lines, keyed by the file they came from
   * @param churnPages pages that mark churn
   * @return the outputs
   */
  public static Outputs labelChurn(PCollection<KV<String, String>> lines, List<String> churnPages) {
    WithFailures.Result<PCollection<SparkifyEvent>, DeadLetter> parsed =
        lines.apply("ParseEvents", ParseSparkifyEvents.create());
    LabelChurn.Result churn =
        parsed.output().apply("LabelChurn", LabelChurn.create().withChurnPages(churnPages));
    return new Outputs(churn, parsed.failures());
  }

  /**
   * Builds, runs and waits for the pipeline, then writes and prints its summary.
   *
   * @param options validated options (see {@link #parseOptions})
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalStateException if the run does not finish in state DONE, or its counts do not
   *     add up
   * @throws IOException if the summary cannot be written
   */
  public static PipelineResult run(Options options) throws IOException {
    long start = System.currentTimeMillis();
    FileFormat format = FileFormat.parse(options.getFormat());
    Pipeline pipeline = Pipeline.create(options);
    Outputs outputs =
        labelChurn(
            pipeline.apply("ReadEvents", ReadLines.from(options.getInput())),
            options.getChurnPages());
    String out = options.getOutput().replaceAll("/+$", "");
    outputs
        .labelled()
        .apply(
            "WriteLabelled",
            WriteRecords.<LabelledEvent>to(out + "/" + LABELLED).withFormat(format));
    outputs
        .stayed()
        .apply(
            "WriteStayed", WriteRecords.<LabelledEvent>to(out + "/" + STAYED).withFormat(format));
    outputs
        .cancelled()
        .apply(
            "WriteCancelled",
            WriteRecords.<LabelledEvent>to(out + "/" + CANCELLED).withFormat(format));
    // Dead letters are few: one file. Fixed sharding also sidesteps a Beam 2.62 SparkRunner
    // problem found by EmbeddedRunnersIT: with runner-chosen sharding, records of a Flatten of
    // several steps' outputs were lost on write.
    outputs
        .deadLetters()
        .apply(
            "WriteDeadLetters",
            WriteRecords.<DeadLetter>to(out + "/" + DEAD_LETTER)
                .withFormat(format)
                .withNumShards(1));

    if (PipelineGraph.writeIfAsked(pipeline, options)) {
      return null;
    }
    LOG.debug(
        "Running churn on {} with {}", options.getInput(), options.getRunner().getSimpleName());
    PipelineResult result =
        RunSummary.runUntilDone(
            pipeline,
            options,
            RunProgress.of("churn")
                .withEventsRead(parseCounterName(ParseSparkifyEvents.EVENTS_READ))
                .withDeadLetters(parseCounterName(ParseSparkifyEvents.DEAD_LETTERS)));
    RunSummary summary = summarize(options, result, System.currentTimeMillis() - start);
    summary.report(out);
    checkBalanced(summary);
    return result;
  }

  /** Reads the run's counters into a {@link RunSummary}. */
  static RunSummary summarize(Options options, PipelineResult result, long wallTimeMillis) {
    return RunSummary.builder("churn")
        .setting("input", options.getInput())
        .setting("output", options.getOutput())
        .setting("format", FileFormat.parse(options.getFormat()).toString())
        .count("events_read", parseCounter(result, ParseSparkifyEvents.EVENTS_READ))
        .count("blank_lines_skipped", parseCounter(result, ParseSparkifyEvents.BLANK_LINES_SKIPPED))
        .count("guest_events_skipped", churnCounter(result, LabelChurn.GUEST_EVENTS_SKIPPED))
        .count("dead_letters", parseCounter(result, ParseSparkifyEvents.DEAD_LETTERS))
        .count("labelled_events", churnCounter(result, LabelChurn.LABELLED_EVENTS))
        .count("stayed_events", churnCounter(result, LabelChurn.STAYED_EVENTS))
        .count("cancelled_events", churnCounter(result, LabelChurn.CANCELLED_EVENTS))
        .count("churned_users", churnCounter(result, LabelChurn.CHURNED_USERS))
        .count("stayed_users", churnCounter(result, LabelChurn.STAYED_USERS))
        .runner(options)
        .steps(result)
        .wallTimeMillis(wallTimeMillis)
        .build();
  }

  private static MetricName parseCounterName(String name) {
    return MetricName.named(ParseSparkifyEvents.class, name);
  }

  private static long parseCounter(PipelineResult result, String name) {
    return RunSummary.counter(result, ParseSparkifyEvents.class, name);
  }

  private static long churnCounter(PipelineResult result, String name) {
    return RunSummary.counter(result, LabelChurn.class, name);
  }

  /** Fails when events read differ from labelled + guests skipped + dead letters. */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count("events_read");
    long accounted =
        summary.count("labelled_events")
            + summary.count("guest_events_skipped")
            + summary.count("dead_letters");
    if (read != accounted
        || summary.count("labelled_events")
            != summary.count("stayed_events") + summary.count("cancelled_events")) {
      throw new IllegalStateException(
          "counts do not add up: events_read "
              + read
              + " != labelled + guests + dead letters "
              + accounted
              + ", or labelled != stayed + cancelled");
    }
  }
}
