package dev.sluice.pipelines.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * What one pipeline run did: named counts read from Beam counters, a few settings, and the wall
 * time. Written as {@code summary.json} (keys in insertion order, counts as integers, {@code
 * wall_time_seconds} as a number) and printed as a two-column table.
 *
 * <pre>{@code
 * RunSummary summary = RunSummary.builder("churn")
 *     .setting("input", options.getInput())
 *     .count("events_read", RunSummary.counter(result, ParseSparkifyEvents.class, "events_read"))
 *     .wallTimeMillis(elapsed)
 *     .build();
 * summary.writeTo(output + "/summary.json");
 * System.out.print(summary.toTable());
 * }</pre>
 */
public final class RunSummary {

  /** The name of the summary file in a run's output directory. */
  public static final String FILE = "summary.json";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String pipeline;
  private final Map<String, String> settings;
  private final Map<String, Long> counts;
  private final long wallTimeMillis;

  private RunSummary(
      String pipeline, Map<String, String> settings, Map<String, Long> counts, long wallMillis) {
    this.pipeline = pipeline;
    this.settings = settings;
    this.counts = counts;
    this.wallTimeMillis = wallMillis;
  }

  /**
   * Runs a pipeline and waits for it.
   *
   * @param pipeline the pipeline to run
   * @param name its name in messages, e.g. {@code churn}
   * @return the finished run
   * @throws IllegalStateException if the run ends in a state other than DONE
   */
  public static PipelineResult runUntilDone(Pipeline pipeline, String name) {
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(name + " pipeline ended in state " + state);
    }
    return result;
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
      Long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = counter.getAttempted();
      }
      total += value == null ? 0 : value;
    }
    return total;
  }

  /** The count named {@code name}; throws {@link IllegalArgumentException} if there is none. */
  public long count(String name) {
    Long value = counts.get(name);
    if (value == null) {
      throw new IllegalArgumentException("no count named " + name + " in " + counts.keySet());
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
    try {
      return MAPPER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write summary as JSON", e);
    }
  }

  /**
   * Writes {@link #toJson()} to {@code path}, through Beam's {@code FileSystems} (local or any
   * registered scheme), replacing any file there.
   *
   * @throws IOException if the file cannot be written
   */
  public void writeTo(String path) throws IOException {
    ResourceId file = FileSystems.matchNewResource(path, /* isDirectory= */ false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(file, "application/json"))) {
      out.write(toJson().getBytes(StandardCharsets.UTF_8));
    }
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
    private long wallTimeMillis;

    private Builder(String pipeline) {
      this.pipeline = pipeline;
    }

    /** Adds a setting of the run, e.g. the input path or the output format. */
    public Builder setting(String name, String value) {
      settings.put(name, value);
      return this;
    }

    /** Adds a count, e.g. {@code events_read}. */
    public Builder count(String name, long value) {
      counts.put(name, value);
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
          pipeline, new LinkedHashMap<>(settings), new LinkedHashMap<>(counts), wallTimeMillis);
    }
  }
}
