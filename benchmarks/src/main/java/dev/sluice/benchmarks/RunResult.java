package dev.sluice.benchmarks;

import java.nio.file.Path;

/** One measured run: which job on which engine, and what it cost. Negative figures are unknown. */
final class RunResult {
  final String workload;
  final String engine;
  final long events;
  final String name;
  final Path output;
  int exitCode = -1;

  /** Process wall time, JVM start to exit, in seconds. */
  double wallSeconds = -1;

  /** Time inside the job, from its summary.json, in seconds. */
  double jobSeconds = -1;

  /** User plus system CPU time of the process, in seconds. */
  double cpuSeconds = -1;

  /** Peak resident set size of the process, in bytes. */
  long peakRssBytes = -1;

  /** Outcome of the output check against Spark SQL. */
  String check = "";

  RunResult(String workload, String engine, long events, String name, Path output) {
    this.workload = workload;
    this.engine = engine;
    this.events = events;
    this.name = name;
    this.output = output;
  }

  boolean ok() {
    return exitCode == 0;
  }

  /** Input events per second of process wall time. */
  double eventsPerSecond() {
    return events / wallSeconds;
  }
}
