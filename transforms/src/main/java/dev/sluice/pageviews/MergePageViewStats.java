package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.movement.ObserveShuffle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Rollups of rollups: merges {@link PageViewStats} records into coarser windows without reading a
 * raw view. {@code PCollection<PageViewStats>} in (each with its visitors sketch, as {@code
 * pageviews --format=parquet} writes them), a {@code WithFailures.Result} out of {@code
 * PCollection<PageViewStats>} (one record per customer, url and coarse window, in the global
 * window, with the merged sketch) and {@code PCollection<DeadLetter>}.
 *
 * <p>Semantics: {@code page_views} and each referrer's count add up (exact); {@code visitors} is
 * the estimate of the union of the records' HyperLogLog sketches ({@link VisitorSketches}), so a
 * session seen in several hours counts once, with the sketch's error (1.6% relative standard error
 * at {@code lgK = 12}); the output keeps the union, so it can be merged again (hours into days,
 * days into weeks). This is how sketch-based analytics stores (Druid, Pinot) roll up rollups.
 * Windows: fixed, of a size that divides a day, aligned to the epoch in UTC ({@link #into}), or ISO
 * weeks from Monday 00:00 UTC ({@link #weekly}).
 *
 * <p>Dead letters, step {@value #STEP}, source {@code customer|url|windowStart}, payload the record
 * without its sketch, counted as {@value #BAD_RECORDS}: a record without a sketch ("no visitors
 * sketch"), with bytes that are not an HLL sketch, or whose window does not lie within one output
 * window. Records in are counted as {@value #RECORDS_READ}, records out as {@value
 * #MERGED_RECORDS}: {@code records_read = merged inputs + bad_records}.
 */
@AutoValue
public abstract class MergePageViewStats
    extends PTransform<
        PCollection<PageViewStats>, WithFailures.Result<PCollection<PageViewStats>, DeadLetter>> {

  /** Step name written into dead letters. */
  public static final String STEP = "MergePageViewStats";

  /** Counter of records in. */
  public static final String RECORDS_READ = "rollup_records_read";

  /** Counter of records that cannot be merged (dead letters). */
  public static final String BAD_RECORDS = "bad_rollup_records";

  /** Counter of records in that are merged (all but the bad ones). */
  public static final String MERGED_INPUTS = "merged_input_records";

  /** Counter of merged records out. */
  public static final String MERGED_RECORDS = "merged_records";

  /** 1970-01-05, the first Monday after the epoch (a Thursday): where ISO weeks start. */
  static final long MONDAY_OFFSET_MILLIS = Duration.standardDays(4).getMillis();

  /** The output window size. */
  public abstract Duration windowSize();

  /** Where windows start, milliseconds after the epoch modulo the size: 0, or Mondays for weeks. */
  abstract long offsetMillis();

  /**
   * Fixed windows of {@code size}, aligned to the epoch in UTC (so {@code 1d} windows start at
   * 00:00 UTC).
   *
   * @throws IllegalArgumentException unless {@code size} is positive and divides a day
   */
  public static MergePageViewStats into(Duration size) {
    checkArgumentNotNull(size, "window size must not be null");
    return new AutoValue_MergePageViewStats(
        RollUpPageViews.hourly().withWindowSize(size).windowSize(), 0);
  }

  /** One window per UTC day. */
  public static MergePageViewStats daily() {
    return into(Duration.standardDays(1));
  }

  /** One window per ISO week: Monday 00:00 UTC to the next Monday. */
  public static MergePageViewStats weekly() {
    return new AutoValue_MergePageViewStats(Duration.standardDays(7), MONDAY_OFFSET_MILLIS);
  }

  /** The start of the output window of an instant, epoch milliseconds. */
  long windowStart(long millis) {
    long size = windowSize().getMillis();
    return Math.floorDiv(millis - offsetMillis(), size) * size + offsetMillis();
  }

  /** The shuffle of the merge, as the run report names it; its heavy keys are the customers. */
  public static final String MERGE_STATS = "MergePageViewStats.MergeStats";

  @Override
  public WithFailures.Result<PCollection<PageViewStats>, DeadLetter> expand(
      PCollection<PageViewStats> records) {
    TupleTag<KV<KV<KV<String, String>, Long>, PageViewStats>> keyed = new TupleTag<>() {};
    TupleTag<DeadLetter> failures = new TupleTag<>() {};
    PCollectionTuple checked =
        records.apply(
            "KeyByOutputWindow",
            ParDo.of(new KeyByWindowFn(this, keyed, failures))
                .withOutputTags(keyed, TupleTagList.of(failures)));
    Coder<PageViewStats> statsCoder;
    try {
      statsCoder = records.getPipeline().getSchemaRegistry().getSchemaCoder(PageViewStats.class);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("PageViewStats has no schema", e);
    }
    PCollection<PageViewStats> merged =
        checked
            .get(keyed)
            .setCoder(
                KvCoder.of(
                    KvCoder.of(
                        KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()), VarLongCoder.of()),
                    statsCoder))
            .apply(
                "ObserveMergeStats",
                ObserveShuffle.<KV<KV<KV<String, String>, Long>, PageViewStats>>into(MERGE_STATS)
                    .withHeavyKeys("customer", record -> record.getKey().getKey().getKey()))
            .apply("MergeStats", Combine.perKey(new MergeFn()))
            .apply("ObserveMergeStatsOut", ObserveShuffle.outOf(MERGE_STATS))
            .apply("ToPageViewStats", ParDo.of(new ToStatsFn(windowSize().getMillis())))
            .setCoder(statsCoder);
    return WithFailures.Result.of(merged, checked.get(failures));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("windowSize", windowSize()).withLabel("Output window size"))
        .add(
            DisplayData.item("alignment", offsetMillis() == 0 ? "epoch (UTC)" : "ISO weeks")
                .withLabel("Windows start at"));
  }

  /** Checks each record and keys it by (customer and url, output window start). */
  static final class KeyByWindowFn
      extends DoFn<PageViewStats, KV<KV<KV<String, String>, Long>, PageViewStats>> {
    private final MergePageViewStats merge;
    private final TupleTag<KV<KV<KV<String, String>, Long>, PageViewStats>> keyed;
    private final TupleTag<DeadLetter> failures;
    private final Counter read = Metrics.counter(MergePageViewStats.class, RECORDS_READ);
    private final Counter bad = Metrics.counter(MergePageViewStats.class, BAD_RECORDS);
    private final Counter merged = Metrics.counter(MergePageViewStats.class, MERGED_INPUTS);

    KeyByWindowFn(
        MergePageViewStats merge,
        TupleTag<KV<KV<KV<String, String>, Long>, PageViewStats>> keyed,
        TupleTag<DeadLetter> failures) {
      this.merge = merge;
      this.keyed = keyed;
      this.failures = failures;
    }

    @ProcessElement
    public void processElement(@Element PageViewStats stats, MultiOutputReceiver out) {
      read.inc();
      String problem = problem(stats);
      if (problem != null) {
        bad.inc();
        out.get(failures).output(deadLetter(stats, problem));
        return;
      }
      long start = merge.windowStart(stats.getWindowStart().getMillis());
      merged.inc();
      out.get(keyed).output(KV.of(KV.of(KV.of(stats.getCustomer(), stats.getUrl()), start), stats));
    }

    private @Nullable String problem(PageViewStats stats) {
      byte[] sketch = stats.getVisitorsSketch();
      if (sketch == null) {
        return "no visitors sketch (write the rollup with --format=parquet)";
      }
      if (VisitorSketches.parse(sketch) == null) {
        return "visitors sketch is not a DataSketches HLL sketch";
      }
      long start = stats.getWindowStart().getMillis();
      long end = stats.getWindowEnd().getMillis();
      if (end <= start || merge.windowStart(start) != merge.windowStart(end - 1)) {
        return "window "
            + stats.getWindowStart()
            + " to "
            + stats.getWindowEnd()
            + " does not lie within one "
            + FormatAsElasticsearchJson.freq(merge.windowSize())
            + " window";
      }
      return null;
    }

    private static DeadLetter deadLetter(PageViewStats stats, String reason) {
      String source = stats.getCustomer() + "|" + stats.getUrl() + "|" + stats.getWindowStart();
      return DeadLetter.of(
          source,
          STEP,
          reason,
          FormatAsElasticsearchJson.format(
              PageViewStats.of(
                  stats.getCustomer(),
                  stats.getUrl(),
                  stats.getWindowStart(),
                  stats.getWindowEnd(),
                  stats.getPageViews(),
                  stats.getVisitors(),
                  stats.getReferrers()),
              FormatAsElasticsearchJson.DEFAULT_INDEX));
    }
  }

  /** The merge of one group's records: page views, referrer counts, the union of sketches. */
  static final class Merged {
    long pageViews;
    final TreeMap<String, Long> referrers = new TreeMap<>();
    @Nullable Union union;

    void add(PageViewStats stats) {
      pageViews += stats.getPageViews();
      stats
          .getReferrers()
          .forEach((referrer, views) -> referrers.merge(referrer, views, Long::sum));
      HllSketch sketch = checkArgumentNotNull(VisitorSketches.parse(stats.getVisitorsSketch()));
      if (union == null) {
        union = VisitorSketches.newUnion(sketch.getLgConfigK());
      }
      union.update(sketch);
    }

    void merge(Merged other) {
      pageViews += other.pageViews;
      other.referrers.forEach((referrer, views) -> referrers.merge(referrer, views, Long::sum));
      if (other.union != null) {
        if (union == null) {
          union = other.union;
        } else {
          union.update(other.union.getResult());
        }
      }
    }
  }

  /** Merges the records of one group and output window. */
  static final class MergeFn extends Combine.CombineFn<PageViewStats, Merged, Merged> {
    @Override
    public Merged createAccumulator() {
      return new Merged();
    }

    @Override
    public Merged addInput(Merged merged, PageViewStats stats) {
      merged.add(stats);
      return merged;
    }

    @Override
    public Merged mergeAccumulators(Iterable<Merged> accumulators) {
      Merged all = new Merged();
      for (Merged merged : accumulators) {
        all.merge(merged);
      }
      return all;
    }

    @Override
    public Merged extractOutput(Merged merged) {
      return merged;
    }

    @Override
    public Coder<Merged> getAccumulatorCoder(CoderRegistry registry, Coder<PageViewStats> input) {
      return MergedCoder.INSTANCE;
    }

    @Override
    public Coder<Merged> getDefaultOutputCoder(CoderRegistry registry, Coder<PageViewStats> input) {
      return MergedCoder.INSTANCE;
    }
  }

  /** The output record of one merged group. */
  static final class ToStatsFn
      extends DoFn<KV<KV<KV<String, String>, Long>, Merged>, PageViewStats> {
    private final long windowMillis;
    private final Counter merged = Metrics.counter(MergePageViewStats.class, MERGED_RECORDS);

    ToStatsFn(long windowMillis) {
      this.windowMillis = windowMillis;
    }

    @ProcessElement
    public void processElement(
        @Element KV<KV<KV<String, String>, Long>, Merged> group,
        OutputReceiver<PageViewStats> out) {
      Merged stats = group.getValue();
      Union union = checkArgumentNotNull(stats.union);
      KV<String, String> customerAndUrl = group.getKey().getKey();
      long start = group.getKey().getValue();
      merged.inc();
      out.output(
          PageViewStats.of(
              customerAndUrl.getKey(),
              customerAndUrl.getValue(),
              Instant.ofEpochMilli(start),
              Instant.ofEpochMilli(start + windowMillis),
              stats.pageViews,
              VisitorSketches.estimate(union),
              stats.referrers,
              VisitorSketches.toBytes(union)));
    }
  }

  /** Coder of {@link Merged}: page views, referrers, the union or none. */
  static final class MergedCoder extends AtomicCoder<Merged> {
    static final MergedCoder INSTANCE = new MergedCoder();
    private static final Coder<Long> LONG = VarLongCoder.of();
    private static final Coder<Map<String, Long>> REFERRERS =
        MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    private static final Coder<Boolean> PRESENT = BooleanCoder.of();

    @Override
    public void encode(Merged merged, OutputStream out) throws IOException {
      LONG.encode(merged.pageViews, out);
      REFERRERS.encode(merged.referrers, out);
      PRESENT.encode(merged.union != null, out);
      if (merged.union != null) {
        VisitorSketches.unionCoder().encode(merged.union, out);
      }
    }

    @Override
    public Merged decode(InputStream in) throws IOException {
      Merged merged = new Merged();
      merged.pageViews = LONG.decode(in);
      merged.referrers.putAll(REFERRERS.decode(in));
      if (PRESENT.decode(in)) {
        merged.union = VisitorSketches.unionCoder().decode(in);
      }
      return merged;
    }
  }
}
