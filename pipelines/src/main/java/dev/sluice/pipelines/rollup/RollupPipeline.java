package dev.sluice.pipelines.rollup;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FilePlan;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pageviews.FormatAsElasticsearchJson;
import dev.sluice.pageviews.MergePageViewStats;
import dev.sluice.pageviews.PageViewStats;
import dev.sluice.pageviews.ReadPageViewStats;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.pageviews.PageViewsPipeline;
import dev.sluice.pipelines.pageviews.TimeArguments;
import dev.sluice.pipelines.report.PipelineRun;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import dev.sluice.pipelines.report.SummaryKey;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code sluice rollup}: rollups of rollups. Parquet rollup records ({@code pageviews
 * --format=parquet}, which keep each record's visitors sketch) in, the same records merged into
 * coarser windows out, without reading a raw view ({@link MergePageViewStats}): {@code page_views}
 * and referrer counts add up exactly, {@code visitors} is the estimate of the union of the
 * sketches.
 *
 * <pre>
 * OUTPUT/pageviews/   one record per customer, url and window (JSON lines, or Parquet with sketches)
 * OUTPUT/dead-letter/ unreadable files, records without a sketch or wider than the window
 * OUTPUT/summary.json, then OUTPUT/_SUCCESS
 * </pre>
 *
 * <p>{@code --input} is the output directory of a {@code pageviews} or {@code rollup} run (its
 * {@code pageviews/} folder is read), that folder, or a glob of Parquet files. The run checks
 * {@code records_read = records_merged + bad_records}.
 */
public final class RollupPipeline {

  /** The output directory of the merged records under {@code --output}. */
  public static final String PAGEVIEWS = PageViewsPipeline.PAGEVIEWS;

  /** The dead letters under {@code --output}. */
  public static final String DEAD_LETTER = PipelineRun.DEAD_LETTER;

  /**
   * The window when {@code --window} is not given: one day. (Not an option default, because {@code
   * pageviews} declares {@code --window} with its own, and Beam refuses two defaults of one option
   * name in one JVM.)
   */
  static final String DEFAULT_WINDOW = "1d";

  private RollupPipeline() {}

  /** Options of the {@code rollup} pipeline. */
  public interface Options extends S3StoreOptions, RunOptions {
    @Description(
        "Parquet rollups to merge: the output directory of a pageviews or rollup run with "
            + "--format=parquet (its pageviews/ folder is read), that folder, or a glob of "
            + ".parquet files; local path or URI.")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description(
        "Output directory; pageviews/, dead-letter/, summary.json and, last, _SUCCESS are written "
            + "under it. An earlier run's folders of those names are deleted first.")
    @Validation.Required
    String getOutput();

    void setOutput(String output);

    @Description(
        "Output window: 1w (ISO weeks, from Monday 00:00 UTC) or a size that divides a day "
            + "(1d, 6h); each input record's window must lie within one. Default: 1d.")
    String getWindow();

    void setWindow(String window);

    @Description(
        "Output format: json (one Elasticsearch-ready object per line), json.gz or parquet (the "
            + "PageViewStats columns with the merged sketches, for another rollup).")
    @Default.String("json")
    String getFormat();

    void setFormat(String format);

    @Description("The _index written into each JSON record.")
    @Default.String(FormatAsElasticsearchJson.DEFAULT_INDEX)
    String getIndex();

    void setIndex(String index);
  }

  /** The settings of {@code summary.json} besides input, output and format. */
  public enum Setting implements SummaryKey {
    /** The output window, as {@code freq} names it ({@code 1day}, {@code 1week}). */
    WINDOW
  }

  /** The counts of {@code summary.json}, in its order. */
  public enum Count implements SummaryKey {
    /** Parquet files read. */
    FILES_READ,
    /** Rollup records read. */
    RECORDS_READ,
    /** Files that could not be read to the end (one dead letter each). */
    UNREADABLE_FILES,
    /** Records that cannot be merged (one dead letter each). */
    BAD_RECORDS,
    /** Records merged. */
    RECORDS_MERGED,
    /** All dead letters. */
    DEAD_LETTERS,
    /** Merged records written. */
    OUTPUT_RECORDS
  }

  /**
   * Parses and checks options.
   *
   * @throws IllegalArgumentException with a one-line message for an unknown, missing or bad option
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    merge(window(options));
    FileFormat.parse(options.getFormat());
    FormatAsElasticsearchJson.create().withIndex(options.getIndex());
    S3Store.prepare(options, options.getInput(), options.getOutput());
    return options;
  }

  /** {@code --window}, or {@value #DEFAULT_WINDOW}. */
  static String window(Options options) {
    return options.getWindow() == null ? DEFAULT_WINDOW : options.getWindow();
  }

  /**
   * The merge into {@code window}: {@code 1w} or {@code 7d} for ISO weeks, else fixed windows.
   *
   * @throws IllegalArgumentException for a window that is neither a week nor divides a day
   */
  static MergePageViewStats merge(String window) {
    String w = String.valueOf(window).trim().toLowerCase(Locale.ROOT);
    if (w.equals("1w") || w.equals("7d")) {
      return MergePageViewStats.weekly();
    }
    try {
      return MergePageViewStats.into(TimeArguments.duration(w));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--window=" + window + ": expected 1w or a size that divides a day (1d, 6h)", e);
    }
  }

  /**
   * The Parquet files of {@code input}: its files, or those of its {@code pageviews/} folder.
   *
   * @throws IllegalArgumentException if neither holds a Parquet file, or the input holds other data
   *     files
   */
  static List<MatchResult.Metadata> parquetFiles(String input) {
    FilePlan plan = FilePlan.list(input);
    if (plan.filesByFormat().getOrDefault(FileFormat.PARQUET, 0) == 0
        && !FilePlan.filepatternOf(input).equals(input)) {
      FilePlan run = FilePlan.list(input.replaceAll("/+$", "") + "/" + PageViewsPipeline.PAGEVIEWS);
      if (!run.isEmpty()) {
        plan = run;
      }
    }
    if (plan.isEmpty()) {
      throw new IllegalArgumentException("no input file matches --input=" + input);
    }
    List<MatchResult.Metadata> others =
        plan.files().stream()
            .filter(f -> !f.resourceId().getFilename().endsWith(".parquet"))
            .collect(Collectors.toList());
    if (!others.isEmpty()) {
      throw new IllegalArgumentException(
          "rollup reads Parquet rollups (pageviews --format=parquet), but --input="
              + input
              + " holds "
              + others.size()
              + " other file(s), such as "
              + others.get(0).resourceId());
    }
    return plan.files();
  }

  /**
   * Lists the input, builds, runs and waits for the pipeline, then writes and prints its summary.
   *
   * @param options validated options (see {@link #parseOptions})
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalArgumentException with a one-line message, before the pipeline starts, if the
   *     input holds no Parquet file or other files
   * @throws IllegalStateException if the run does not finish in state DONE, or its counts do not
   *     add up
   * @throws IOException if the summary cannot be written
   */
  public static @Nullable PipelineResult run(Options options) throws IOException {
    PipelineRun run =
        PipelineRun.start(
                "rollup",
                options,
                options.getInput(),
                options.getOutput(),
                FileFormat.parse(options.getFormat()))
            .replacing(PAGEVIEWS, DEAD_LETTER);
    List<MatchResult.Metadata> files = parquetFiles(options.getInput());
    run.reading(files);
    MergePageViewStats merge = merge(window(options));
    WithFailures.Result<PCollection<PageViewStats>, DeadLetter> read =
        run.pipeline().apply("ReadRollups", ReadPageViewStats.of(files));
    WithFailures.Result<PCollection<PageViewStats>, DeadLetter> merged =
        read.output().apply("MergeRollups", merge);
    if (run.format().isText()) {
      merged
          .output()
          .apply(
              "FormatAsElasticsearchJson",
              FormatAsElasticsearchJson.create().withIndex(options.getIndex()))
          .apply(
              "WriteRollups", WriteRecords.lines(run.output(PAGEVIEWS)).withFormat(run.format()));
    } else {
      merged
          .output()
          .apply(
              "WriteRollups",
              WriteRecords.<PageViewStats>to(run.output(PAGEVIEWS)).withFormat(run.format()));
    }
    run.writeDeadLetters(
        PCollectionList.of(read.failures())
            .and(merged.failures())
            .apply("CollectDeadLetters", Flatten.pCollections()));
    int filesRead = files.size();
    return run.execute(
        RunProgress.of("rollup")
            .withEventsRead(
                MetricName.named(ReadPageViewStats.class, ReadPageViewStats.RECORDS_READ))
            .withDeadLetters(
                MetricName.named(ReadPageViewStats.class, ReadPageViewStats.UNREADABLE_FILES),
                MetricName.named(MergePageViewStats.class, MergePageViewStats.BAD_RECORDS)),
        (summary, result) -> summarize(summary, merge, filesRead, result),
        RollupPipeline::checkBalanced);
  }

  private static void summarize(
      RunSummary.Builder summary, MergePageViewStats merge, int files, PipelineResult result) {
    long unreadable =
        RunSummary.counter(result, ReadPageViewStats.class, ReadPageViewStats.UNREADABLE_FILES);
    long bad = RunSummary.counter(result, MergePageViewStats.class, MergePageViewStats.BAD_RECORDS);
    summary
        .setting(Setting.WINDOW, FormatAsElasticsearchJson.freq(merge.windowSize()))
        .count(Count.FILES_READ, files)
        .count(
            Count.RECORDS_READ,
            RunSummary.counter(result, ReadPageViewStats.class, ReadPageViewStats.RECORDS_READ))
        .count(Count.UNREADABLE_FILES, unreadable)
        .count(Count.BAD_RECORDS, bad)
        .count(Count.DEAD_LETTERS, unreadable + bad)
        .count(
            Count.RECORDS_MERGED,
            RunSummary.counter(result, MergePageViewStats.class, MergePageViewStats.MERGED_INPUTS))
        .count(
            Count.OUTPUT_RECORDS,
            RunSummary.counter(
                result, MergePageViewStats.class, MergePageViewStats.MERGED_RECORDS));
  }

  /** Fails when records read differ from records merged + bad records. */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count(Count.RECORDS_READ);
    long accounted = summary.count(Count.RECORDS_MERGED) + summary.count(Count.BAD_RECORDS);
    if (read != accounted) {
      throw new IllegalStateException(
          "counts do not add up: records_read "
              + read
              + " != records_merged + bad_records "
              + accounted);
    }
  }
}
