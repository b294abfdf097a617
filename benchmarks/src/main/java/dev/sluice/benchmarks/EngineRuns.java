package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the benchmark runs an engine: each run in a fresh JVM ({@code .mvn/jvm.config}, {@code -Xmx},
 * the cores), measured from outside (wall time) and from inside ({@link Measured}: CPU seconds and
 * peak RSS), its output then checked against the reference run with {@code sluice diff}.
 */
final class EngineRuns {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final BenchmarkOptions options;
  private final Path work;
  private final int cores;

  EngineRuns(BenchmarkOptions options, Path work, int cores) {
    this.options = options;
    this.work = work;
    this.cores = cores;
  }

  /** Compares each run's outputs with the Spark SQL run's, with {@code sluice diff}. */
  void check(List<RunResult> runs, String... outputs) throws IOException, InterruptedException {
    RunResult reference =
        runs.stream()
            .filter(r -> r.engine.equals("sparksql") && r.ok())
            .findFirst()
            .or(() -> runs.stream().filter(r -> r.engine.equals("duckdb") && r.ok()).findFirst())
            .orElse(null);
    for (RunResult run : runs) {
      if (!options.getCheck()) {
        run.check = "not checked";
      } else if (!run.ok()) {
        run.check =
            (outOfMemory(run) ? "out of memory" : "run failed")
                + " (exit "
                + run.exitCode
                + ", "
                + work.relativize(log(run.name))
                + ")";
      } else if (reference == null) {
        run.check = "no Spark SQL or DuckDB run to compare with";
      } else if (run == reference) {
        run.check = "reference";
      } else {
        List<String> differing = new ArrayList<>();
        for (String output : outputs) {
          String name = "diff-" + run.name + "-" + output;
          Process diff =
              java(
                  name,
                  List.of(),
                  "dev.sluice.runners.Sluice",
                  "diff",
                  "--left=" + reference.output.resolve(output),
                  "--right=" + run.output.resolve(output),
                  "--runner=" + options.getCheckRunner(),
                  "--quiet");
          int status = diff.waitFor();
          if (status != 0) {
            differing.add(
                output + (status == 4 ? " differs" : " not compared") + " (" + log(name) + ")");
          }
        }
        run.check = differing.isEmpty() ? "equal" : String.join("; ", differing);
      }
      Benchmark.progress("%s on %s: %s", run.workload, run.engine, run.check);
    }
  }

  /** True when the run's log says its JVM ran out of heap. */
  private boolean outOfMemory(RunResult run) throws IOException {
    Path log = log(run.name);
    if (!Files.exists(log)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
      return lines.anyMatch(line -> line.contains("java.lang.OutOfMemoryError"));
    }
  }

  RunResult measure(
      String workload,
      String engine,
      long events,
      String name,
      Path out,
      String mainClass,
      String... args)
      throws IOException, InterruptedException {
    deleteTree(out);
    Files.createDirectories(out);
    Path report = work.resolve("logs/" + name + ".measured");
    Files.deleteIfExists(report);
    List<String> jvm = new ArrayList<>();
    if (options.getProfile()) {
      jvm.add(
          "-XX:StartFlightRecording=filename="
              + work.resolve("logs/" + name + ".jfr")
              + ",settings=profile");
    }
    List<String> measured = new ArrayList<>(List.of(report.toString(), mainClass));
    measured.addAll(Arrays.asList(args));
    Benchmark.progress("%s on %s ...", workload, engine);
    long start = System.nanoTime();
    Process process = java(name, jvm, Measured.class.getName(), measured.toArray(new String[0]));
    int exit = process.waitFor();
    double wall = (System.nanoTime() - start) / 1e9;
    RunResult run = new RunResult(workload, engine, events, name, out);
    run.exitCode = exit;
    run.wallSeconds = wall;
    if (Files.exists(report)) {
      String[] figures = Files.readString(report).trim().split(" ");
      run.cpuSeconds = Double.parseDouble(figures[0]);
      run.peakRssBytes = Long.parseLong(figures[1]);
    }
    Path summary = out.resolve("summary.json");
    if (Files.exists(summary)) {
      JsonNode json = MAPPER.readTree(summary.toFile());
      run.jobSeconds = json.path("wall_time_seconds").asDouble(-1);
    }
    Benchmark.progress(
        "%s on %s: exit %d, %.1f s, %.1f CPU s, %s peak RSS",
        workload, engine, exit, wall, run.cpuSeconds, ResultTable.bytes(run.peakRssBytes));
    return run;
  }

  /** Starts {@code mainClass} in a fresh JVM with this JVM's classpath, output to logs/NAME.log. */
  Process java(String name, List<String> jvmOptions, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (cores < Runtime.getRuntime().availableProcessors()
        && new File("/usr/bin/taskset").exists()) {
      command.addAll(List.of("/usr/bin/taskset", "-c", "0-" + (cores - 1)));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@" + Path.of(options.getJvmConfig()).toAbsolutePath());
    command.add("-Xmx" + options.getHeap());
    command.add("-XX:ActiveProcessorCount=" + cores);
    command.addAll(jvmOptions);
    if (!options.getJvmOptions().isBlank()) {
      command.addAll(Arrays.asList(options.getJvmOptions().trim().split("\\s+")));
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log(name).toFile());
    // Embedded Spark binds to a loopback address only with this set (see RunnerDefaults).
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return builder.start();
  }

  Path log(String name) {
    return work.resolve("logs/" + name + ".log");
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
