package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileSplit;
import dev.sluice.io.HivePartitionPlan;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The page-view rollup of a Hive-partitioned tree of files, read and combined in one pass: {@code
 * PBegin} in, a {@code WithFailures.Result} out of the {@code PCollection<PageViewStats>} (one
 * record per customer, url and window, in the global window, its window in the record) and the
 * {@code PCollection<DeadLetter>}. It gives what {@code ReadHivePartitioned}, {@link ToPageViews},
 * {@link KeepTimeRange} and {@link RollUpPageViews} give one after another, with the same records,
 * dead letters and counters, but no view crosses a step: the plan native engines use (Spark's scan
 * stage runs a partial {@code HashAggregate} right after its Parquet reader).
 *
 * <p>Steps. {@code ListPartitionedFiles} and {@code GroupFilesIntoChunks}: the {@link
 * HivePartitionPlan}'s files, in chunks of neighbouring files. {@code ReadPageViews}: each worker
 * reads the files of a chunk and rolls their views up in a compact table per bundle (strings
 * interned once, no object per view): Parquet column by column ({@link PageViewParquetScanner}),
 * JSON lines through the format's reader; invalid rows go to the dead letter as {@link ToPageViews}
 * sends them, rows outside {@link #withTimeRange the time range} are skipped and counted as {@link
 * KeepTimeRange} counts them. At the end of a bundle, or when it holds {@value
 * #MAX_GROUPS_PER_BUNDLE} groups, the table becomes {@link PartialRollup}s, one per window and
 * bucket of (customer, url). {@code GroupPartials} shuffles them and {@code MergePartialRollups}
 * merges the partials of each window and bucket into records (exact: partials carry their session
 * ids).
 *
 * <p>Memory: per worker, the groups of one bundle's files; after the shuffle, the groups of one
 * key, a {@code 1/parallelism} share of all groups (give a large input more parallelism). Semantics
 * are {@link RollUpPageViews}'s on bounded input: fixed windows of event time aligned to the epoch
 * in UTC, {@code page_views}, exact {@code visitors} (or estimated, {@link #withApproxVisitors}),
 * referrer counts with null referrers not counted.
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<PageViewStats>, DeadLetter> hourly = p.apply("RollUpPageViews",
 *     RollUpPageViewFiles.of(HivePartitionPlan.list("s3://logs/pageviews")));
 * }</pre>
 */
@AutoValue
public abstract class RollUpPageViewFiles
    extends PTransform<PBegin, WithFailures.Result<PCollection<PageViewStats>, DeadLetter>> {

  /** Groups a bundle holds before it sends them on as partials. */
  public static final int MAX_GROUPS_PER_BUNDLE = 500_000;

  /** The files to read. */
  public abstract HivePartitionPlan plan();

  /** The window size. */
  public abstract Duration windowSize();

  /** Start of the event-time range, inclusive, or null. */
  public abstract @Nullable Instant from();

  /** End of the event-time range, exclusive, or null. */
  public abstract @Nullable Instant to();

  /**
   * How many workers the rollup is cut for: the files are read in this many chunks of neighbouring
   * files, and the partials shuffled over this many keys.
   */
  public abstract int parallelism();

  /** Whether {@code visitors} is an exact distinct count (else estimated from the sketch). */
  public abstract boolean exactVisitors();

  /** The {@code lgK} of the visitors sketch the records keep, or null for none. */
  public abstract @Nullable Integer sketchLgK();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setPlan(HivePartitionPlan plan);

    abstract Builder setWindowSize(Duration size);

    abstract Builder setFrom(@Nullable Instant from);

    abstract Builder setTo(@Nullable Instant to);

    abstract Builder setParallelism(int parallelism);

    abstract Builder setExactVisitors(boolean exact);

    abstract Builder setSketchLgK(@Nullable Integer lgK);

    abstract RollUpPageViewFiles build();
  }

  /**
   * The parallelism by default: twice the processors of the machine that builds the pipeline, the
   * right figure for a run on that machine. Each chunk of files and each shuffle key costs little
   * on Spark and Flink but much on the DirectRunner, which copies a key's values once for each
   * bundle that brings more and groups every written record by shard: there, few chunks and keys
   * are fastest. A cluster wants its own number of workers ({@link #withParallelism}).
   */
  public static int defaultParallelism() {
    return 2 * Runtime.getRuntime().availableProcessors();
  }

  /** Hourly rollup of the files of {@code plan}, no time range, {@link #defaultParallelism}. */
  public static RollUpPageViewFiles of(HivePartitionPlan plan) {
    checkArgumentNotNull(plan, "plan must not be null");
    return new AutoValue_RollUpPageViewFiles.Builder()
        .setPlan(plan)
        .setWindowSize(RollUpPageViews.DEFAULT_WINDOW_SIZE)
        .setParallelism(defaultParallelism())
        .setExactVisitors(true)
        .build();
  }

  /**
   * Returns a copy with fixed windows of {@code size}.
   *
   * @throws IllegalArgumentException unless {@code size} is positive and divides a day
   */
  public RollUpPageViewFiles withWindowSize(Duration size) {
    return toBuilder()
        .setWindowSize(RollUpPageViews.hourly().withWindowSize(size).windowSize())
        .build();
  }

  /**
   * Returns a copy that keeps the views of {@code [from, to)} only (a null bound is open), as
   * {@link KeepTimeRange} does; prune the plan's partitions to the same range.
   *
   * @throws IllegalArgumentException if both are set and {@code from} is not before {@code to}
   */
  public RollUpPageViewFiles withTimeRange(@Nullable Instant from, @Nullable Instant to) {
    KeepTimeRange.between(from, to);
    return toBuilder().setFrom(from).setTo(to).build();
  }

  /**
   * Returns a copy cut for {@code parallelism} workers: that many chunks of files, and that many
   * shuffle keys.
   *
   * @throws IllegalArgumentException unless {@code parallelism} is between 1 and 65,536
   */
  public RollUpPageViewFiles withParallelism(int parallelism) {
    if (parallelism < 1 || parallelism > 65_536) {
      throw new IllegalArgumentException("parallelism must be in [1, 65536], got " + parallelism);
    }
    return toBuilder().setParallelism(parallelism).build();
  }

  /**
   * Returns a copy that estimates {@code visitors} with a HyperLogLog sketch of {@code 2^lgK}
   * buckets per group, as {@link RollUpPageViews#withApproxVisitors} does: the partials carry one
   * sketch per group instead of its session ids, so the shuffle and the memory after it stay under
   * about {@code 2^lgK} bytes per group. Records keep the sketch.
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [4, 21]
   */
  public RollUpPageViewFiles withApproxVisitors(int lgK) {
    return toBuilder().setExactVisitors(false).setSketchLgK(VisitorSketches.checkLgK(lgK)).build();
  }

  /**
   * Returns a copy whose records keep the HyperLogLog sketch of their sessions beside the exact
   * {@code visitors}, as {@link RollUpPageViews#withVisitorSketches} does.
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [4, 21]
   */
  public RollUpPageViewFiles withVisitorSketches(int lgK) {
    return toBuilder().setSketchLgK(VisitorSketches.checkLgK(lgK)).build();
  }

  /**
   * The shuffle of the rollup's partials, as the run report names it: counted by the steps on
   * either side of it ({@code ReadPageViews}, {@code MergePartialRollups}), so that counting adds
   * no step. Its heavy keys are the customers, counted in page views.
   */
  public static final String GROUP_PARTIALS = "RollUpPageViewFiles.GroupPartials";

  @Override
  public WithFailures.Result<PCollection<PageViewStats>, DeadLetter> expand(PBegin input) {
    int sketchLgK = sketchLgK() == null ? 0 : sketchLgK();
    TupleTag<KV<Long, PartialRollup>> partials = new TupleTag<KV<Long, PartialRollup>>() {};
    TupleTag<DeadLetter> failures = new TupleTag<DeadLetter>() {};
    PCollectionTuple read =
        input
            .apply(
                "ListPartitionedFiles",
                Create.of(plan().filePlan().chunks(parallelism()))
                    .withCoder(KvCoder.of(VarIntCoder.of(), FileSplit.coder())))
            .apply("GroupFilesIntoChunks", GroupByKey.create())
            .apply(
                "ReadPageViews",
                ParDo.of(
                        new ReadPageViewsFn(
                            windowSize().getMillis(),
                            parallelism(),
                            from() == null ? Long.MIN_VALUE : from().getMillis(),
                            to() == null ? Long.MAX_VALUE : to().getMillis(),
                            exactVisitors() ? 0 : sketchLgK,
                            partials,
                            failures))
                    .withOutputTags(partials, TupleTagList.of(failures)));
    PCollection<PageViewStats> stats =
        read.get(partials)
            .setCoder(KvCoder.of(VarLongCoder.of(), PartialRollup.coder()))
            .apply("GroupPartials", GroupByKey.create())
            .apply(
                "MergePartialRollups",
                ParDo.of(new MergePartialRollupsFn(windowSize().getMillis(), sketchLgK)))
            .setCoder(schemaCoder(input.getPipeline()));
    return WithFailures.Result.of(stats, read.get(failures));
  }

  private static Coder<PageViewStats> schemaCoder(Pipeline pipeline) {
    try {
      return pipeline.getSchemaRegistry().getSchemaCoder(PageViewStats.class);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("PageViewStats has no schema", e);
    }
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("root", plan().root()).withLabel("Tree root"))
        .add(DisplayData.item("files", plan().files().size()).withLabel("Files to read"))
        .add(DisplayData.item("windowSize", windowSize()).withLabel("Window size"))
        .add(DisplayData.item("parallelism", parallelism()).withLabel("File chunks, shuffle keys"))
        .add(
            DisplayData.item("visitors", exactVisitors() ? "exact" : "approx")
                .withLabel("Visitors count"))
        .addIfNotNull(DisplayData.item("sketchLgK", sketchLgK()).withLabel("Visitors sketch lgK"))
        .add(DisplayData.item("from", from() == null ? "open" : from().toString()))
        .add(DisplayData.item("to", to() == null ? "open" : to().toString()));
  }
}
