package dev.sluice.pipelines.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.movement.HeavyKeys;
import dev.sluice.movement.ObserveShuffle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What one pipeline run did, as a value: named counts read from Beam counters, a few settings, and
 * the wall time. Keys are {@link SummaryKey} constants, so that each is spelled once. Written as
 * {@code summary.json} (keys in insertion order, counts as integers, {@code wall_time_seconds} as a
 * number) and printed as a two-column table.
 *
 * <pre>{@code
 * RunSummary summary = RunSummary.builder("churn")
 *     .setting(RunSummary.Setting.INPUT, options.getInput())
 *     .count(Count.EVENTS_READ, RunSummary.counter(result, ReadRecords.class, "records_read"))
 *     .wallTimeMillis(elapsed)
 *     .build();
 * summary.writeTo(output + "/summary.json");
 * System.out.print(summary.toTable());
 * }</pre>
 */
public final class RunSummary {

  /** The name of the summary file in a run's output directory. */
  public static final String FILE = "summary.json";

  /** How the temporary name of a summary being written starts, beside {@link #FILE}. */
  public static final String TEMP_PREFIX = ".tmp-summary-";

  /** The settings every pipeline with an input and an output reports. */
  public enum Setting implements SummaryKey {
    /** The input path, as given. */
    INPUT,
    /** The output directory, as given. */
    OUTPUT,
    /** The output format ({@code json}, {@code json.gz}, {@code parquet}). */
    FORMAT
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String pipeline;
  private final Map<String, String> settings;
  private final Map<String, Long> counts;
  private final Map<String, Map<String, Long>> steps;
  private final DataMovement movement;
  private final long wallTimeMillis;

  private RunSummary(
      String pipeline,
      Map<String, String> settings,
      Map<String, Long> counts,
      Map<String, Map<String, Long>> steps,
      DataMovement movement,
      long wallMillis) {
    this.pipeline = pipeline;
    this.settings = settings;
    this.counts = counts;
    this.steps = steps;
    this.movement = movement;
    this.wallTimeMillis = wallMillis;
  }

  /** Where the run moved its data: its shuffles, heaviest first. */
  public DataMovement movement() {
    return movement;
  }

  /** Starts a summary of the pipeline named {@code pipeline}, e.g. {@code churn}. */
  public static Builder builder(String pipeline) {
    return new Builder(pipeline);
  }

  /**
   * Reads a Beam counter from a finished run: the sum over every step that reports it, committed
   * values where the runner has them, else attempted ones. A counter never incremented reads 0.
   *
   * @param result the finished run
   * @param namespace the class whose namespace the counter is in
   * @param name the counter's name
   * @return the counter's value
   */
  public static long counter(PipelineResult result, Class<?> namespace, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(namespace, name))
                    .build())
            .getCounters()) {
      total += valueOf(counter);
    }
    return total;
  }

  private static boolean hasCommitted(MetricResult<Long> counter) {
    try {
      counter.getCommitted();
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  /** A counter's committed value where the runner has one, else its attempted value; 0 if none. */
  static long valueOf(MetricResult<Long> counter) {
    Long value;
    try {
      value = counter.getCommitted();
    } catch (UnsupportedOperationException e) {
      value = counter.getAttempted();
    }
    return value == null ? 0 : value;
  }

  /** The count {@code key}; throws {@link IllegalArgumentException} if there is none. */
  public long count(SummaryKey key) {
    Long value = counts.get(key.key());
    if (value == null) {
      throw new IllegalArgumentException("no count named " + key.key() + " in " + counts.keySet());
    }
    return value;
  }

  /** The wall time of the run, in milliseconds. */
  public long wallTimeMillis() {
    return wallTimeMillis;
  }

  /** The summary as pretty-printed JSON, ending in a newline. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("pipeline", pipeline);
    settings.forEach(root::put);
    counts.forEach(root::put);
    root.put("wall_time_seconds", wallTimeMillis / 1000.0);
    if (!steps.isEmpty()) {
      ObjectNode stepNodes = root.putObject("steps");
      steps.forEach((step, counters) -> counters.forEach(stepNodes.putObject(step)::put));
    }
    if (!movement.shuffles().isEmpty()) {
      root.set("shuffles", movement.toJson());
    }
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write summary as JSON", e);
    }
  }

  /**
   * Writes {@link #toJson()} to {@code path}, through Beam's {@code FileSystems} (local or any
   * registered scheme), replacing any file there. The file appears whole or not at all: it is
   * written beside {@code path} under a temporary name, then renamed.
   *
   * @throws IOException if the file cannot be written
   */
  public void writeTo(String path) throws IOException {
    ResourceId file = FileSystems.matchNewResource(path, /* isDirectory= */ false);
    ResourceId temporary =
        FileSystems.matchNewResource(
            path.substring(0, path.lastIndexOf('/') + 1)
                + TEMP_PREFIX
                + UUID.randomUUID()
                + "-"
                + file.getFilename(),
            false);
    try (OutputStream out =
        Channels.newOutputStream(FileSystems.create(temporary, "application/json"))) {
      out.write(toJson().getBytes(StandardCharsets.UTF_8));
    }
    FileSystems.rename(List.of(temporary), List.of(file));
  }

  /**
   * Writes the summary to {@code OUTPUT/summary.json} and prints it as a table on standard output.
   *
   * @param output the run's output directory (local path or URI)
   * @throws IOException if the file cannot be written
   */
  public void report(String output) throws IOException {
    writeTo(output.replaceAll("/+$", "") + "/" + FILE);
    System.out.print(toTable());
  }

  /** The summary as a short human-readable table, one line per value, ending in a newline. */
  public String toTable() {
    StringBuilder table = new StringBuilder();
    table.append(pipeline).append(" summary\n");
    settings.forEach((k, v) -> row(table, k, v));
    counts.forEach((k, v) -> row(table, k, String.format(Locale.ROOT, "%,d", v)));
    row(table, "wall_time", String.format(Locale.ROOT, "%.1f s", wallTimeMillis / 1000.0));
    table.append(movement.toTable());
    return table.toString();
  }

  private static void row(StringBuilder table, String name, String value) {
    table.append(String.format(Locale.ROOT, "  %-22s %s%n", name.replace('_', ' '), value));
  }

  /** Builder of {@link RunSummary}; entries keep the order they are added in. */
  public static final class Builder {
    private final String pipeline;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> steps = new TreeMap<>();
    private DataMovement movement = DataMovement.none();
    private long wallTimeMillis;

    private Builder(String pipeline) {
      this.pipeline = pipeline;
    }

    /** Adds a setting of the run, e.g. the input path or the output format. */
    public Builder setting(SummaryKey key, String value) {
      settings.put(key.key(), value);
      return this;
    }

    /** Adds a count, e.g. {@code events_read}. */
    public Builder count(SummaryKey key, long value) {
      counts.put(key.key(), value);
      return this;
    }

    /**
     * Adds what makes two runs comparable: {@code runner} (its simple class name), {@code
     * parallelism} (see {@link RunnerSettings#parallelism}) and {@code sluice_version}.
     */
    public Builder runner(PipelineOptions options) {
      settings.put("runner", options.getRunner().getSimpleName());
      settings.put("parallelism", RunnerSettings.parallelism(options));
      settings.put("sluice_version", RunnerSettings.sluiceVersion());
      return this;
    }

    /**
     * Adds every Beam counter of the run, by step ({@code "LabelChurn/EmitLabelledEvents"}) and
     * counter ({@code "LabelChurn.labelled_events"}: namespace's simple name, then the name).
     * Committed values where the runner has them, else attempted ones; the setting {@code metrics}
     * says which ({@code committed} on the DirectRunner; {@code attempted} on Beam 2.62's
     * SparkRunner and FlinkRunner, which have no committed metrics). Beam's runners report no
     * element counts of their own to a Java pipeline's metrics, so these are Sluice's counters.
     */
    public Builder steps(PipelineResult result) {
      Iterable<MetricResult<Long>> counters =
          result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters();
      for (MetricResult<Long> counter : counters) {
        settings.put("metrics", hasCommitted(counter) ? "committed" : "attempted");
        break;
      }
      for (MetricResult<Long> counter : counters) {
        String namespace = counter.getName().getNamespace();
        if (namespace.startsWith(ObserveShuffle.NAMESPACE_PREFIX)
            || namespace.startsWith(HeavyKeys.NAMESPACE_PREFIX)
            || namespace.equals(EdgeCounts.NAMESPACE)) {
          continue;
        }
        String name =
            namespace.substring(namespace.lastIndexOf('.') + 1) + "." + counter.getName().getName();
        steps
            .computeIfAbsent(counter.getKey().stepName(), k -> new TreeMap<>())
            .merge(name, valueOf(counter), Long::sum);
      }
      return this;
    }

    /**
     * Adds where the run moved its data ({@link DataMovement}): {@code "shuffles"} in the JSON, the
     * heaviest three in the table. Their counters are left out of {@link #steps}.
     */
    public Builder movement(PipelineResult result) {
      this.movement = DataMovement.of(result);
      return this;
    }

    /** Sets the wall time of the run, in milliseconds. */
    public Builder wallTimeMillis(long millis) {
      this.wallTimeMillis = millis;
      return this;
    }

    /** Builds the summary. */
    public RunSummary build() {
      return new RunSummary(
          pipeline,
          new LinkedHashMap<>(settings),
          new LinkedHashMap<>(counts),
          new TreeMap<>(steps),
          movement,
          wallTimeMillis);
    }
  }
}
