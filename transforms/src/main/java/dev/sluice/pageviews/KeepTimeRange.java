package dev.sluice.pageviews;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Keeps the page views whose {@code ts} is in {@code [from, to)}: {@code PCollection<PageView>} in,
 * the views in range out, windows and timestamps kept. A null bound is open. Views outside the
 * range are skipped on purpose and counted as {@value #OUTSIDE_TIME_RANGE} (in this class's
 * namespace), so that {@code views in = views out + outside_time_range}.
 *
 * <p>Partition pruning ({@code ReadHivePartitioned.withTimeRange}) skips whole partitions; this
 * drops the views of kept partitions that still fall outside.
 *
 * <pre>{@code
 * views.apply("KeepTimeRange", KeepTimeRange.between(from, to));
 * }</pre>
 */
@AutoValue
public abstract class KeepTimeRange
    extends PTransform<PCollection<PageView>, PCollection<PageView>> {

  /** Counter of views outside {@code [from, to)}, skipped on purpose. */
  public static final String OUTSIDE_TIME_RANGE = "outside_time_range";

  /** Start of the range, inclusive, or null for open. */
  public abstract @Nullable Instant from();

  /** End of the range, exclusive, or null for open. */
  public abstract @Nullable Instant to();

  /**
   * Keeps views in {@code [from, to)}.
   *
   * @param from start, inclusive, or null
   * @param to end, exclusive, or null
   * @return the transform
   * @throws IllegalArgumentException if both are set and {@code from} is not before {@code to}
   */
  public static KeepTimeRange between(@Nullable Instant from, @Nullable Instant to) {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
    }
    return new AutoValue_KeepTimeRange(from, to);
  }

  @Override
  public PCollection<PageView> expand(PCollection<PageView> views) {
    return views.apply("KeepViewsInRange", ParDo.of(new KeepViewsInRangeFn(from(), to())));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(
            DisplayData.item("from", from() == null ? "open" : from().toString()).withLabel("From"))
        .add(DisplayData.item("to", to() == null ? "open" : to().toString()).withLabel("To"));
  }

  /** Keeps views in {@code [from, to)}; counts the others. */
  static final class KeepViewsInRangeFn extends DoFn<PageView, PageView> {
    private final @Nullable Instant from;
    private final @Nullable Instant to;
    private final Counter outside = Metrics.counter(KeepTimeRange.class, OUTSIDE_TIME_RANGE);

    KeepViewsInRangeFn(@Nullable Instant from, @Nullable Instant to) {
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
