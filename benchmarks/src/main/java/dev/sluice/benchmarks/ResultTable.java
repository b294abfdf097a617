package dev.sluice.benchmarks;

import java.util.List;
import java.util.Locale;

/** The benchmark's table, as Markdown. */
final class ResultTable {

  private ResultTable() {}

  /**
   * One row per run, in run order: workload, events, engine, wall s, job s, events/s, CPU s, peak
   * RSS, events/s relative to the Spark SQL run of the same workload, output check, and events/s
   * relative to the DuckDB run of the same workload.
   */
  static String markdown(List<RunResult> runs) {
    StringBuilder table = new StringBuilder();
    table.append(
        "| workload | events | engine | wall s | job s | events/s | CPU s | peak RSS "
            + "| vs Spark SQL | output | vs DuckDB |\n");
    table.append("|---|--:|---|--:|--:|--:|--:|--:|--:|---|--:|\n");
    for (RunResult run : runs) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              run.workload,
              run.events,
              engineName(run.engine),
              run.ok() ? seconds(run.wallSeconds) : "failed (exit " + run.exitCode + ")",
              seconds(run.jobSeconds),
              run.ok() ? String.format(Locale.ROOT, "%,.0f", run.eventsPerSecond()) : "",
              seconds(run.cpuSeconds),
              bytes(run.peakRssBytes),
              relative(run, runs, "sparksql"),
              run.check,
              relative(run, runs, "duckdb")));
    }
    return table.toString();
  }

  /** Events/s of {@code run} over those of the {@code engine} run of the same workload, or "". */
  private static String relative(RunResult run, List<RunResult> runs, String engine) {
    RunResult reference =
        runs.stream()
            .filter(r -> r.workload.equals(run.workload) && r.engine.equals(engine) && r.ok())
            .findFirst()
            .orElse(null);
    return !run.ok() || reference == null
        ? ""
        : String.format(Locale.ROOT, "%.2fx", run.eventsPerSecond() / reference.eventsPerSecond());
  }

  /** The engine as the table names it. */
  static String engineName(String engine) {
    switch (engine) {
      case "sparksql":
        return "Spark SQL (native)";
      case "duckdb":
        return "DuckDB (native)";
      case "direct":
        return "Sluice DirectRunner";
      case "spark":
        return "Sluice SparkRunner";
      case "flink":
        return "Sluice FlinkRunner";
      default:
        return engine;
    }
  }

  static String seconds(double seconds) {
    return seconds < 0 ? "" : String.format(Locale.ROOT, "%.1f", seconds);
  }

  /** Bytes in GiB or MiB, one decimal. */
  static String bytes(long bytes) {
    if (bytes < 0) {
      return "";
    }
    double mib = bytes / (1024.0 * 1024);
    return mib >= 1024
        ? String.format(Locale.ROOT, "%.1f GiB", mib / 1024)
        : String.format(Locale.ROOT, "%.0f MiB", mib);
  }

  /** An event count as 1M, 10M, 250K, or the number. */
  static String size(long events) {
    if (events % 1_000_000 == 0) {
      return events / 1_000_000 + "M";
    }
    if (events % 1_000 == 0) {
      return events / 1_000 + "K";
    }
    return Long.toString(events);
  }
}
