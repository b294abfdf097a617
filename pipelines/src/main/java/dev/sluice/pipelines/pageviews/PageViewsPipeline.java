package dev.sluice.pipelines.pageviews;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.ReadHivePartitioned;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pageviews.FormatAsJson;
import dev.sluice.pageviews.HourlyPageViews;
import dev.sluice.pageviews.PageView;
import dev.sluice.pageviews.PageViewStats;
import dev.sluice.pageviews.ToPageViews;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.report.PipelineGraph;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import java.io.IOException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pageviews} pipeline: a Hive-partitioned tree of page views in ({@code
 * ROOT/year=/month=/day=/hour=/customer=/*.parquet}, or JSON lines); under {@code --output}, {@code
 * pageviews/} (one record per customer, url and window: JSON lines by {@link FormatAsJson}, or
 * Parquet of {@link PageViewStats}), {@code dead-letter/} and {@code summary.json}.
 *
 * <p>Steps: {@code ReadPageViews} ({@link ReadHivePartitioned}: partitions outside {@code
 * --from}/{@code --to} pruned, columns projected), {@code ToPageViews} (rows with a null {@code
 * ts}, {@code customer}, {@code url} or {@code session_id} to the dead letter), {@code
 * KeepTimeRange} (views outside {@code [from, to)} skipped on purpose and counted), {@code
 * HourlyPageViews}, then {@code FormatAsJson} and {@code WritePageViews}, and {@code
 * WriteDeadLetters}. The summary checks {@code events_read = page_views + invalid_page_views +
 * bad_records}.
 */
public final class PageViewsPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(PageViewsPipeline.class);

  /** Output directory of the rollup under {@code --output}. */
  public static final String PAGEVIEWS = "pageviews";

  /** Output directory of the dead letters. */
  public static final String DEAD_LETTER = "dead-letter";

  /** The summary file. */
  public static final String SUMMARY = RunSummary.FILE;

  /** Counter of views outside {@code [from, to)}, skipped on purpose. */
  public static final String OUTSIDE_TIME_RANGE = "outside_time_range";

  private PageViewsPipeline() {}

  /** Options of the {@code pageviews} pipeline. */
  public interface Options extends S3StoreOptions, RunOptions {
    @Description(
        "Root of the page-view tree: ROOT/year=YYYY/month=MM/day=DD/hour=HH/customer=C/ with "
            + ".parquet (gzip, snappy or zstd) or .json/.json.gz files; local path or URI.")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description(
        "Output directory; pageviews/, dead-letter/ and summary.json are written under it.")
    @Validation.Required
    String getOutput();

    void setOutput(String output);

    @Description(
        "Start of the event-time range, inclusive, ISO-8601 in UTC (2017-09-17 or "
            + "2017-09-17T10:00:00Z). Partitions entirely before it are not read. Default: open.")
    String getFrom();

    void setFrom(String from);

    @Description("End of the event-time range, exclusive, ISO-8601 in UTC. Default: open.")
    String getTo();

    void setTo(String to);

    @Description("Window size: a number and s, m, h or d (15m, 1h, 1d); it must divide a day.")
    @Default.String("1h")
    String getWindow();

    void setWindow(String window);

    @Description("The _index written into each JSON record.")
    @Default.String(FormatAsJson.DEFAULT_INDEX)
    String getIndex();

    void setIndex(String index);

    @Description(
        "Output format: json (one Elasticsearch-ready object per line) or parquet (the "
            + "PageViewStats columns).")
    @Default.String("json")
    String getFormat();

    void setFormat(String format);
  }

  /** The outputs of the rollup graph, before they are written. */
  public static final class Outputs {
    private final PCollection<PageViewStats> stats;
    private final PCollection<DeadLetter> deadLetters;

    Outputs(PCollection<PageViewStats> stats, PCollection<DeadLetter> deadLetters) {
      this.stats = stats;
      this.deadLetters = deadLetters;
    }

    /** One record per customer, url and window. */
    public PCollection<PageViewStats> stats() {
      return stats;
    }

    /** Unreadable files, bad records and invalid page views. */
    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }
  }

  /**
   * Parses and checks options before anything runs. The input tree is listed once, by {@link #run},
   * which reports an input with no data file before the pipeline starts.
   *
   * @throws IllegalArgumentException with a one-line message for an unknown or missing option, or a
   *     bad window, time range, format or index
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    validate(options);
    return options;
  }

  /**
   * Checks option values and combinations, without listing the input (see {@link #run}).
   *
   * @throws IllegalArgumentException with a one-line message when an option is unusable
   */
  public static void validate(Options options) {
    FileFormat.parse(options.getFormat());
    S3Store.prepare(options, options.getInput(), options.getOutput());
    HourlyPageViews.create().withWindowSize(TimeArguments.duration(options.getWindow()));
    FormatAsJson.create().withIndex(options.getIndex());
    read(options);
  }

  /** The reader of the input tree, with the time range of the options. */
  static ReadHivePartitioned read(Options options) {
    return ReadHivePartitioned.from(options.getInput(), ToPageViews.COLUMNS)
        .withPartitionKeys("customer")
        .withSourceFileField(ToPageViews.SOURCE_FILE)
        .withTimeRange(
            TimeArguments.instant(options.getFrom()), TimeArguments.instant(options.getTo()));
  }

  /**
   * Builds the rollup from rows already read: rows with the columns of {@link ToPageViews#COLUMNS}
   * (and their dead letters) in, the rollup and all dead letters out.
   *
   * @param rows rows and read failures, as from {@link ReadHivePartitioned}
   * @param from start of the time range, inclusive, or null
   * @param to end of the time range, exclusive, or null
   * @param window the window size
   * @return the outputs
   */
  public static Outputs rollUp(
      WithFailures.Result<PCollection<Row>, DeadLetter> rows,
      @Nullable Instant from,
      @Nullable Instant to,
      Duration window) {
    WithFailures.Result<PCollection<PageView>, DeadLetter> views =
        rows.output().apply("ToPageViews", ToPageViews.create());
    PCollection<PageView> inRange = views.output();
    if (from != null || to != null) {
      // Without a range every view is kept: no step, so no copy of every view on the
      // DirectRunner, which materializes each step's output.
      inRange = inRange.apply("KeepTimeRange", ParDo.of(new KeepTimeRangeFn(from, to)));
    }
    PCollection<PageViewStats> stats =
        inRange.apply("HourlyPageViews", HourlyPageViews.create().withWindowSize(window));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(rows.failures())
            .and(views.failures())
            .apply("CollectDeadLetters", Flatten.pCollections());
    return new Outputs(stats, deadLetters);
  }

  /**
   * Builds, runs and waits for the pipeline, then writes and prints its summary.
   *
   * @param options validated options
   * @return the finished run
   * @throws IllegalArgumentException with a one-line message, before the pipeline starts, if the
   *     input cannot be listed or holds no data file
   * @throws IllegalStateException if the run does not finish in state DONE or its counts do not add
   *     up
   * @throws IOException if the summary cannot be written
   */
  public static PipelineResult run(Options options) throws IOException {
    long start = System.currentTimeMillis();
    FileFormat format = FileFormat.parse(options.getFormat());
    Duration window = TimeArguments.duration(options.getWindow());
    Pipeline pipeline = Pipeline.create(options);
    ReadHivePartitioned read = read(options);
    Outputs outputs =
        rollUp(
            pipeline.apply("ReadPageViews", read),
            TimeArguments.instant(options.getFrom()),
            TimeArguments.instant(options.getTo()),
            window);
    String out = options.getOutput().replaceAll("/+$", "");
    // The rollup's windows are in the records; files are not split by window.
    PCollection<PageViewStats> stats =
        outputs
            .stats()
            .apply(
                "RewindowForWrite",
                Window.<PageViewStats>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    if (format == FileFormat.JSON) {
      stats
          .apply("FormatAsJson", FormatAsJson.create().withIndex(options.getIndex()))
          .apply("WritePageViews", WriteRecords.jsonLines(out + "/" + PAGEVIEWS));
    } else {
      stats.apply(
          "WritePageViews",
          WriteRecords.<PageViewStats>to(out + "/" + PAGEVIEWS).withFormat(format));
    }
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
    ReadHivePartitioned.Plan plan = read.plan();
    LOG.debug(
        "Running pageviews on {} files ({} of {} partitions pruned) with {}",
        plan.files().size(),
        plan.prunedPartitions(),
        plan.partitions(),
        options.getRunner().getSimpleName());
    PipelineResult result =
        RunSummary.runUntilDone(
            pipeline,
            options,
            RunProgress.of("pageviews")
                .withEventsRead(readCounterName(ReadHivePartitioned.RECORDS_READ))
                .withDeadLetters(
                    readCounterName(ReadHivePartitioned.BAD_RECORDS),
                    readCounterName(ReadHivePartitioned.UNREADABLE_FILES),
                    MetricName.named(ToPageViews.class, ToPageViews.INVALID_PAGE_VIEWS)));
    RunSummary summary = summarize(options, plan, result, System.currentTimeMillis() - start);
    summary.report(out);
    checkBalanced(summary);
    return result;
  }

  static RunSummary summarize(
      Options options, ReadHivePartitioned.Plan plan, PipelineResult result, long wallMillis) {
    long badRecords = readCounter(result, ReadHivePartitioned.BAD_RECORDS);
    long unreadable = readCounter(result, ReadHivePartitioned.UNREADABLE_FILES);
    long invalid = RunSummary.counter(result, ToPageViews.class, ToPageViews.INVALID_PAGE_VIEWS);
    return RunSummary.builder("pageviews")
        .setting("input", options.getInput())
        .setting("output", options.getOutput())
        .setting("format", FileFormat.parse(options.getFormat()).toString())
        .setting("window", FormatAsJson.freq(TimeArguments.duration(options.getWindow())))
        .count("events_read", readCounter(result, ReadHivePartitioned.RECORDS_READ))
        .count("partitions", plan.partitions())
        .count("pruned_partitions", plan.prunedPartitions())
        .count("files_read", readCounter(result, ReadHivePartitioned.FILES_READ))
        .count("bad_records", badRecords)
        .count("unreadable_files", unreadable)
        .count("invalid_page_views", invalid)
        .count("dead_letters", badRecords + unreadable + invalid)
        .count("page_views", RunSummary.counter(result, ToPageViews.class, ToPageViews.PAGE_VIEWS))
        .count(
            "outside_time_range",
            RunSummary.counter(result, PageViewsPipeline.class, OUTSIDE_TIME_RANGE))
        .count(
            "output_records",
            RunSummary.counter(result, HourlyPageViews.class, HourlyPageViews.ROLLUP_RECORDS))
        .runner(options)
        .steps(result)
        .wallTimeMillis(wallMillis)
        .build();
  }

  private static MetricName readCounterName(String name) {
    return MetricName.named(ReadHivePartitioned.class, name);
  }

  private static long readCounter(PipelineResult result, String name) {
    return RunSummary.counter(result, ReadHivePartitioned.class, name);
  }

  /** Fails when events read differ from valid + invalid page views + bad records. */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count("events_read");
    long accounted =
        summary.count("page_views")
            + summary.count("invalid_page_views")
            + summary.count("bad_records");
    if (read != accounted) {
      throw new IllegalStateException(
          "counts do not add up: events_read "
              + read
              + " != page_views + invalid_page_views + bad_records "
              + accounted);
    }
  }

  /** Keeps views in {@code [from, to)}; counts the others, skipped on purpose. */
  static final class KeepTimeRangeFn extends DoFn<PageView, PageView> {
    private final @Nullable Instant from;
    private final @Nullable Instant to;
    private final Counter outside = Metrics.counter(PageViewsPipeline.class, OUTSIDE_TIME_RANGE);

    KeepTimeRangeFn(@Nullable Instant from, @Nullable Instant to) {
      this.from = from;
      this.to = to;
    }

    @ProcessElement
    public void processElement(@Element PageView view, OutputReceiver<PageView> out) {
      long ts = view.getTs();
      if ((from != null && ts < from.getMillis()) || (to != null && ts >= to.getMillis())) {
        outside.inc();
      } else {
        out.output(view);
      }
    }
  }
}
