package dev.sluice.pipelines.pageviews;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.HivePartitionPlan;
import dev.sluice.io.ReadHivePartitioned;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pageviews.FormatAsElasticsearchJson;
import dev.sluice.pageviews.KeepTimeRange;
import dev.sluice.pageviews.PageView;
import dev.sluice.pageviews.PageViewStats;
import dev.sluice.pageviews.RollUpPageViewFiles;
import dev.sluice.pageviews.RollUpPageViews;
import dev.sluice.pageviews.ToPageViews;
import dev.sluice.pageviews.VisitorSketches;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.report.PipelineRun;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import dev.sluice.pipelines.report.SummaryKey;
import java.io.IOException;
import java.util.Locale;
import java.util.function.BiFunction;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The {@code pageviews} pipeline: a Hive-partitioned tree of page views in ({@code
 * ROOT/year=/month=/day=/hour=/customer=/*.parquet}, or JSON lines); under {@code --output}, {@code
 * pageviews/} (one record per customer, url and window: JSON lines by {@link
 * FormatAsElasticsearchJson}, or Parquet of {@link PageViewStats}), {@code dead-letter/} and {@code
 * summary.json}.
 *
 * <p>Steps: {@code RollUpPageViews} ({@link RollUpPageViewFiles}: the tree listed once, partitions
 * outside {@code --from}/{@code --to} pruned, each file read and its views rolled up in the same
 * step, only partial rollups shuffled; rows with a null {@code ts}, {@code customer}, {@code url}
 * or {@code session_id} to the dead letter, views outside {@code [from, to)} skipped on purpose and
 * counted), then {@code FormatAsElasticsearchJson} and {@code WritePageViews}, and {@code
 * WriteDeadLetters}. {@link #rollUp} builds the same rollup from rows already read, step by step
 * ({@link ToPageViews}, {@link KeepTimeRange}, {@link RollUpPageViews}), for tests and for rows
 * from elsewhere. The summary checks {@code events_read = page_views + invalid_page_views +
 * bad_records}.
 */
public final class PageViewsPipeline {

  /** Output directory of the rollup under {@code --output}. */
  public static final String PAGEVIEWS = "pageviews";

  /** Output directory of the dead letters. */
  public static final String DEAD_LETTER = PipelineRun.DEAD_LETTER;

  /** The summary file. */
  public static final String SUMMARY = RunSummary.FILE;

  private PageViewsPipeline() {}

  /** Options of the {@code pageviews} pipeline. */
  public interface Options extends S3StoreOptions, RunOptions, StreamOptions {
    @Description(
        "Root of the page-view tree: ROOT/year=YYYY/month=MM/day=DD/hour=HH/customer=C/ with "
            + ".parquet (gzip, snappy or zstd) or .json/.json.gz files; local path or URI. "
            + "Required unless --streaming=true.")
    String getInput();

    void setInput(String input);

    @Description(
        "Output directory; pageviews/, dead-letter/, summary.json and, last, _SUCCESS are written "
            + "under it. An earlier batch run's folders of those names are deleted first; other "
            + "files are left alone.")
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

    @Description(
        "Window size: a number and s, m, h or d (15m, 1h, 1d); it must divide a day. Default: 1h.")
    String getWindow();

    void setWindow(String window);

    @Description("The _index written into each JSON record.")
    @Default.String(FormatAsElasticsearchJson.DEFAULT_INDEX)
    String getIndex();

    void setIndex(String index);

    @Description(
        "Output format: json (one Elasticsearch-ready object per line), json.gz (the same, "
            + "gzip) or parquet (the PageViewStats columns).")
    @Default.String("json")
    String getFormat();

    void setFormat(String format);

    @Description(
        "visitors: exact (distinct session ids; memory grows with the sessions of the busiest "
            + "group) or approx (a HyperLogLog sketch per group of 2^hllLgK buckets: at most about "
            + "2^hllLgK bytes per group in memory, relative standard error 1.04/sqrt(2^hllLgK), "
            + "1.6% at 12). With --format=parquet the records keep the sketch either way, for "
            + "sluice rollup.")
    @Default.String("exact")
    String getVisitors();

    void setVisitors(String visitors);

    @Description("Size of the visitors sketches: 2^hllLgK buckets, 4 to 21.")
    @Default.Integer(VisitorSketches.DEFAULT_LG_K)
    int getHllLgK();

    void setHllLgK(int lgK);

    @Description(
        "Workers the rollup is cut for: the files are read in this many chunks of neighbouring "
            + "files and the partial rollups shuffled over this many keys. 0: twice the cores of "
            + "this machine, right for a run on it; give a cluster its number of task slots.")
    @Default.Integer(0)
    int getRollupParallelism();

    void setRollupParallelism(int parallelism);
  }

  /** The settings of {@code summary.json} besides input, output and format. */
  public enum Setting implements SummaryKey {
    /** The window size, as {@code freq} names it ({@code 1hour}). */
    WINDOW,
    /** How visitors are counted: {@code exact} or {@code approx}. */
    VISITORS,
    /** The {@code lgK} of the visitors sketches, when records keep or count with them. */
    HLL_LG_K
  }

  /** The counts of {@code summary.json}, in its order. */
  public enum Count implements SummaryKey {
    /** Records read: valid and invalid page views, and bad records. */
    EVENTS_READ,
    /** Partitions of the tree. */
    PARTITIONS,
    /** Partitions pruned by the time range. */
    PRUNED_PARTITIONS,
    /** Files opened. */
    FILES_READ,
    /** Records that could not be read as rows (bad JSON lines, unconvertible values). */
    BAD_RECORDS,
    /** Files that could not be read to the end. */
    UNREADABLE_FILES,
    /** Rows with a null ts, customer, url or session_id. */
    INVALID_PAGE_VIEWS,
    /** All dead letters. */
    DEAD_LETTERS,
    /** Valid page views. */
    PAGE_VIEWS,
    /** Valid views outside the time range, skipped on purpose. */
    OUTSIDE_TIME_RANGE,
    /** Rollup records written. */
    OUTPUT_RECORDS
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
    if (options.isStreaming()) {
      StreamingPageViewsPipeline.validate(options);
    } else if (options.getInput() == null) {
      throw new IllegalArgumentException(
          "missing required option --input; run 'sluice pageviews --help' to list the options");
    }
    FileFormat.parse(options.getFormat());
    try {
      VisitorSketches.checkLgK(options.getHllLgK());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--hllLgK: " + e.getMessage(), e);
    }
    rollUp(options);
    FormatAsElasticsearchJson.create().withIndex(options.getIndex());
    if (options.getRollupParallelism() < 0 || options.getRollupParallelism() > 65_536) {
      throw new IllegalArgumentException(
          "--rollupParallelism must be in [0, 65536], got " + options.getRollupParallelism());
    }
    KeepTimeRange.between(
        TimeArguments.instant(options.getFrom()), TimeArguments.instant(options.getTo()));
    S3Store.prepare(options, options.getInput(), options.getOutput());
  }

  /** The file rollup of {@code plan}, cut for {@code --rollupParallelism}, counting visitors. */
  private static RollUpPageViewFiles rollUpFiles(HivePartitionPlan plan, Options options) {
    RollUpPageViewFiles rollUp = RollUpPageViewFiles.of(plan);
    if (options.getRollupParallelism() > 0) {
      rollUp = rollUp.withParallelism(options.getRollupParallelism());
    }
    return countingVisitors(
        rollUp,
        options,
        RollUpPageViewFiles::withApproxVisitors,
        RollUpPageViewFiles::withVisitorSketches);
  }

  /**
   * The window when {@code --window} is not given: one hour. (Not an option default: {@code rollup}
   * declares {@code --window} with another, and Beam refuses two defaults of one option name in one
   * JVM.)
   */
  static final String DEFAULT_WINDOW = "1h";

  /** {@code --window}, or {@value #DEFAULT_WINDOW}. */
  static String window(Options options) {
    return options.getWindow() == null ? DEFAULT_WINDOW : options.getWindow();
  }

  /** The rollup of the options' window size and visitors count. */
  private static RollUpPageViews rollUp(Options options) {
    return countingVisitors(
        RollUpPageViews.hourly().withWindowSize(TimeArguments.duration(window(options))), options);
  }

  /** {@code rollUp} counting visitors as {@code --visitors} and {@code --format} ask. */
  static RollUpPageViews countingVisitors(RollUpPageViews rollUp, Options options) {
    return countingVisitors(
        rollUp, options, RollUpPageViews::withApproxVisitors, RollUpPageViews::withVisitorSketches);
  }

  /**
   * A rollup given approximate visitors ({@code approx}) or kept sketches ({@code sketches}) of
   * {@code --hllLgK} as the options ask, or as it is.
   */
  private static <R> R countingVisitors(
      R rollUp,
      Options options,
      BiFunction<R, Integer, R> approx,
      BiFunction<R, Integer, R> sketches) {
    Integer lgK = sketchLgK(options);
    if (lgK == null) {
      return rollUp;
    }
    return approxVisitors(options) ? approx.apply(rollUp, lgK) : sketches.apply(rollUp, lgK);
  }

  /**
   * Whether {@code --visitors=approx}.
   *
   * @throws IllegalArgumentException unless {@code --visitors} is exact or approx
   */
  static boolean approxVisitors(Options options) {
    String visitors = String.valueOf(options.getVisitors()).trim().toLowerCase(Locale.ROOT);
    switch (visitors) {
      case "exact":
        return false;
      case "approx":
        return true;
      default:
        throw new IllegalArgumentException(
            "unknown --visitors '" + options.getVisitors() + "': expected exact or approx");
    }
  }

  /**
   * The {@code lgK} of the sketches records count with ({@code --visitors=approx}) or keep ({@code
   * --format=parquet}), or null for neither.
   *
   * @throws IllegalArgumentException unless {@code --hllLgK} is in [4, 21]
   */
  static @Nullable Integer sketchLgK(Options options) {
    boolean parquet = FileFormat.parse(options.getFormat()) == FileFormat.PARQUET;
    if (!approxVisitors(options) && !parquet) {
      return null;
    }
    try {
      return VisitorSketches.checkLgK(options.getHllLgK());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--hllLgK: " + e.getMessage(), e);
    }
  }

  /** Adds {@code visitors} and, with sketches, {@code hll_lg_k} to a summary. */
  static void summarizeVisitors(RunSummary.Builder summary, Options options) {
    summary.setting(Setting.VISITORS, approxVisitors(options) ? "approx" : "exact");
    Integer lgK = sketchLgK(options);
    if (lgK != null) {
      summary.setting(Setting.HLL_LG_K, String.valueOf(lgK));
    }
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
      inRange = inRange.apply("KeepTimeRange", KeepTimeRange.between(from, to));
    }
    PCollection<PageViewStats> stats =
        inRange.apply("RollUpPageViews", RollUpPageViews.hourly().withWindowSize(window));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(rows.failures())
            .and(views.failures())
            .apply("CollectDeadLetters", Flatten.pCollections());
    return new Outputs(stats, deadLetters);
  }

  /**
   * Lists the input tree, builds, runs and waits for the pipeline, then writes and prints its
   * summary.
   *
   * @param options validated options
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalArgumentException with a one-line message, before the pipeline starts, if the
   *     input cannot be listed or holds no data file
   * @throws IllegalStateException if the run does not finish in state DONE or its counts do not add
   *     up
   * @throws IOException if the summary cannot be written
   */
  public static @Nullable PipelineResult run(Options options) throws IOException {
    if (options.isStreaming()) {
      return StreamingPageViewsPipeline.run(options);
    }
    PipelineRun run =
        PipelineRun.start(
                "pageviews",
                options,
                options.getInput(),
                options.getOutput(),
                FileFormat.parse(options.getFormat()))
            .replacing(PAGEVIEWS, DEAD_LETTER);
    Duration window = rollUp(options).windowSize();
    Instant from = TimeArguments.instant(options.getFrom());
    Instant to = TimeArguments.instant(options.getTo());
    HivePartitionPlan plan = HivePartitionPlan.list(options.getInput()).withTimeRange(from, to);
    run.reading(plan.files());
    WithFailures.Result<PCollection<PageViewStats>, DeadLetter> rollUp =
        run.pipeline()
            .apply(
                "RollUpPageViews",
                rollUpFiles(plan, options).withWindowSize(window).withTimeRange(from, to));
    PCollection<PageViewStats> stats = rollUp.output();
    if (run.format().isText()) {
      stats
          .apply(
              "FormatAsElasticsearchJson",
              FormatAsElasticsearchJson.create().withIndex(options.getIndex()))
          .apply(
              "WritePageViews", WriteRecords.lines(run.output(PAGEVIEWS)).withFormat(run.format()));
    } else {
      stats.apply(
          "WritePageViews",
          WriteRecords.<PageViewStats>to(run.output(PAGEVIEWS)).withFormat(run.format()));
    }
    run.writeDeadLetters(rollUp.failures());
    return run.execute(
        RunProgress.of("pageviews")
            .withEventsRead(MetricName.named(ReadRecords.class, ReadRecords.RECORDS_READ))
            .withDeadLetters(
                MetricName.named(ReadRecords.class, ReadRecords.BAD_RECORDS),
                MetricName.named(ReadRecords.class, ReadRecords.UNREADABLE_FILES),
                MetricName.named(ToPageViews.class, ToPageViews.INVALID_PAGE_VIEWS)),
        (summary, result) -> {
          summarize(summary, plan, window, result);
          summarizeVisitors(summary, options);
        },
        PageViewsPipeline::checkBalanced);
  }

  /** Adds the run's settings and counts: the plan's, and those read from its counters. */
  static void summarize(
      RunSummary.Builder summary, HivePartitionPlan plan, Duration window, PipelineResult result) {
    long badRecords = RunSummary.counter(result, ReadRecords.class, ReadRecords.BAD_RECORDS);
    long unreadable = RunSummary.counter(result, ReadRecords.class, ReadRecords.UNREADABLE_FILES);
    long invalid = RunSummary.counter(result, ToPageViews.class, ToPageViews.INVALID_PAGE_VIEWS);
    summary
        .setting(Setting.WINDOW, FormatAsElasticsearchJson.freq(window))
        .count(
            Count.EVENTS_READ,
            RunSummary.counter(result, ReadRecords.class, ReadRecords.RECORDS_READ))
        .count(Count.PARTITIONS, plan.partitions())
        .count(Count.PRUNED_PARTITIONS, plan.prunedPartitions())
        .count(
            Count.FILES_READ, RunSummary.counter(result, ReadRecords.class, ReadRecords.FILES_READ))
        .count(Count.BAD_RECORDS, badRecords)
        .count(Count.UNREADABLE_FILES, unreadable)
        .count(Count.INVALID_PAGE_VIEWS, invalid)
        .count(Count.DEAD_LETTERS, badRecords + unreadable + invalid)
        .count(
            Count.PAGE_VIEWS, RunSummary.counter(result, ToPageViews.class, ToPageViews.PAGE_VIEWS))
        .count(
            Count.OUTSIDE_TIME_RANGE,
            RunSummary.counter(result, KeepTimeRange.class, KeepTimeRange.OUTSIDE_TIME_RANGE))
        .count(
            Count.OUTPUT_RECORDS,
            RunSummary.counter(result, RollUpPageViews.class, RollUpPageViews.ROLLUP_RECORDS));
  }

  /** Fails when events read differ from valid + invalid page views + bad records. */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count(Count.EVENTS_READ);
    long accounted =
        summary.count(Count.PAGE_VIEWS)
            + summary.count(Count.INVALID_PAGE_VIEWS)
            + summary.count(Count.BAD_RECORDS);
    if (read != accounted) {
      throw new IllegalStateException(
          "counts do not add up: events_read "
              + read
              + " != page_views + invalid_page_views + bad_records "
              + accounted);
    }
  }
}
