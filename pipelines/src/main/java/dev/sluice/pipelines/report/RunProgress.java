package dev.sluice.pipelines.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The progress line of a running pipeline: elapsed time, events read so far, events per second and
 * dead letters so far, read from the Beam counters of the running {@link PipelineResult} (attempted
 * values: committed ones exist only at the end on most runners).
 *
 * <pre>{@code
 * churn: 10 s, 152,300 events read (15,230/s), 0 dead letters
 * churn: done in 15.3 s, 301,442 events read (19,702/s), 0 dead letters
 * }</pre>
 *
 * <p>Runners that run a pipeline attached (the embedded FlinkRunner) return from {@code run()} only
 * when it is finished; they show the final line only.
 */
public final class RunProgress {

  private final String pipeline;
  private final List<MetricName> eventsRead;
  private final List<MetricName> deadLetters;
  private final @Nullable Function<PipelineResult, String> details;

  private RunProgress(
      String pipeline,
      List<MetricName> eventsRead,
      List<MetricName> deadLetters,
      @Nullable Function<PipelineResult, String> details) {
    this.pipeline = pipeline;
    this.eventsRead = eventsRead;
    this.deadLetters = deadLetters;
    this.details = details;
  }

  /**
   * Progress of the pipeline named {@code pipeline}, e.g. {@code churn}, with no counters yet.
   *
   * @param pipeline the name at the start of each line
   * @return the progress
   */
  public static RunProgress of(String pipeline) {
    return new RunProgress(pipeline, List.of(), List.of(), null);
  }

  /** Returns a copy that sums these counters as events read. */
  public RunProgress withEventsRead(MetricName... counters) {
    return new RunProgress(pipeline, concat(eventsRead, counters), deadLetters, details);
  }

  /** Returns a copy that sums these counters as dead letters. */
  public RunProgress withDeadLetters(MetricName... counters) {
    return new RunProgress(pipeline, eventsRead, concat(deadLetters, counters), details);
  }

  /**
   * Returns a copy that ends each line with {@code details} of the run, e.g. a stream's panes
   * written and watermark; it must not throw for a run still starting.
   */
  public RunProgress withDetails(Function<PipelineResult, String> details) {
    return new RunProgress(pipeline, eventsRead, deadLetters, details);
  }

  private static List<MetricName> concat(List<MetricName> list, MetricName... more) {
    List<MetricName> all = new ArrayList<>(list);
    all.addAll(Arrays.asList(more));
    return List.copyOf(all);
  }

  /** The pipeline's name. */
  public String pipeline() {
    return pipeline;
  }

  /**
   * Prints one progress line.
   *
   * @param result the running (or finished) pipeline
   * @param elapsedMillis time since the run started, in milliseconds
   * @param done whether the run has finished (the line then says so)
   * @param out where to print, normally standard error
   */
  void print(PipelineResult result, long elapsedMillis, boolean done, PrintStream out) {
    long read = sum(result, eventsRead);
    long dead = sum(result, deadLetters);
    double seconds = Math.max(elapsedMillis, 1) / 1000.0;
    String when =
        done
            ? String.format(Locale.ROOT, "done in %.1f s", seconds)
            : String.format(Locale.ROOT, "%.0f s", seconds);
    out.printf(
        Locale.ROOT,
        "%s: %s, %,d events read (%,.0f/s), %,d dead letters%s%n",
        pipeline,
        when,
        read,
        read / seconds,
        dead,
        details == null ? "" : ", " + details.apply(result));
    out.flush();
  }

  /** The sum of the attempted values of {@code names}; 0 when the runner reports none yet. */
  static long sum(PipelineResult result, List<MetricName> names) {
    if (names.isEmpty()) {
      return 0;
    }
    MetricsFilter.Builder filter = MetricsFilter.builder();
    names.forEach(
        name -> filter.addNameFilter(MetricNameFilter.named(name.getNamespace(), name.getName())));
    long total = 0;
    try {
      for (MetricResult<Long> counter :
          result.metrics().queryMetrics(filter.build()).getCounters()) {
        Long value = counter.getAttempted();
        total += value == null ? 0 : value;
      }
    } catch (RuntimeException e) {
      return 0; // Metrics of a run still starting; the next line will have them.
    }
    return total;
  }
}
