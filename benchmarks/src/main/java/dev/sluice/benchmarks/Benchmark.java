package dev.sluice.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The benchmark: Sluice's {@code pageviews} and {@code churn} pipelines on each runner, against the
 * same jobs written natively in Spark SQL ({@link SparkSqlPageViews}, {@link SparkSqlChurn}), on
 * the same data, each run in a fresh JVM one after another; then a check with {@code sluice diff}
 * that every output equals Spark SQL's, and a table of events, wall seconds, events/s, CPU seconds,
 * peak RSS and events/s relative to Spark SQL, printed and written to {@code WORK/results.md}.
 *
 * <p>Run it with {@code scripts/benchmark.sh [--flags]} from the repository root; {@code --help}
 * lists the flags ({@link BenchmarkOptions}). Inputs are generated once under {@code WORK/data}:
 * {@code realistic} page-view trees by {@code sluice generate-pageviews}, synthetic Sparkify logs
 * by {@link GenerateSparkifyLog}.
 *
 * <p>Wall seconds are the whole process, JVM start to exit, as a user running the job sees it;
 * events/s are events in the input over those seconds. "job s" is the time inside the job (from its
 * {@code summary.json}), without JVM start and engine class loading. CPU seconds and peak RSS are
 * the process's, from {@code /proc} ({@link Measured}).
 */
public final class Benchmark {

  /** Events in eventsim's {@code mini.json.gz}, the unit of the {@code Nx} churn inputs. */
  static final long MINI_EVENTS = 301_442;

  private final BenchmarkOptions options;
  private final Path work;
  private final int cores;
  private final List<RunResult> results = new ArrayList<>();
  private final EngineRuns engines;

  Benchmark(BenchmarkOptions options) {
    this.options = options;
    this.work = Path.of(options.getWork()).toAbsolutePath();
    this.cores =
        options.getCores() > 0 ? options.getCores() : Runtime.getRuntime().availableProcessors();
    this.engines = new EngineRuns(options, work, cores);
  }

  /**
   * Runs the benchmark.
   *
   * @param args flags, see {@link BenchmarkOptions}
   * @throws Exception if an input cannot be generated, or a run cannot be started
   */
  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(BenchmarkOptions.class);
    BenchmarkOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(BenchmarkOptions.class);
    Benchmark benchmark = new Benchmark(options);
    benchmark.run();
    String table = ResultTable.markdown(benchmark.results);
    String report =
        "Command: `scripts/benchmark.sh "
            + String.join(" ", args)
            + "`\n\n"
            + "Machine: "
            + Machine.describe(benchmark.cores, options.getHeap())
            + "\n\n"
            + table;
    Files.writeString(benchmark.work.resolve("results.md"), report, StandardCharsets.UTF_8);
    System.out.println();
    System.out.println(report);
    System.out.println("Written to " + benchmark.work.resolve("results.md"));
  }

  void run() throws IOException, InterruptedException {
    Files.createDirectories(work.resolve("logs"));
    for (String workload : list(options.getWorkloads())) {
      switch (workload) {
        case "pageviews":
          for (String size : list(options.getPageViews())) {
            int colon = size.indexOf(':');
            List<String> layouts =
                colon < 0 ? list(options.getLayouts()) : List.of(size.substring(0, colon));
            for (String layout : layouts) {
              pageViews(layout, parseCount(size.substring(colon + 1)));
            }
          }
          break;
        case "churn":
          for (String input : list(options.getChurn())) {
            churn(input);
          }
          break;
        case "visitors":
          for (String size : list(options.getVisitorsSizes())) {
            int colon = size.indexOf(':');
            visitors(
                colon < 0 ? "realistic" : size.substring(0, colon),
                parseCount(size.substring(colon + 1)));
          }
          break;
        default:
          throw new IllegalArgumentException("unknown workload " + workload);
      }
    }
  }

  private void pageViews(String layout, long events) throws IOException, InterruptedException {
    String label = "pageviews " + ResultTable.size(events) + " " + layout;
    Path tree = pageViewTree(layout, events);
    runEngines(
        "pageviews",
        layout + "-" + events,
        label,
        events,
        tree,
        Map.of("sparksql", SparkSqlPageViews.class, "duckdb", DuckDbPageViews.class),
        "pageviews");
  }

  /**
   * {@code pageviews} with exact and with approximate visitors on each Sluice engine of {@code
   * --engines}, one fresh JVM after another, then the approximate counts checked against the exact
   * ones ({@link VisitorsAccuracy}); the check column of the approximate run gives the error.
   */
  private void visitors(String layout, long events) throws IOException, InterruptedException {
    Path tree = pageViewTree(layout, events);
    int lgK = options.getHllLgK();
    for (String engine : list(options.getEngines())) {
      if (engine.equals("sparksql") || engine.equals("duckdb")) {
        continue;
      }
      RunResult[] runs = new RunResult[2];
      String[] modes = {"exact", "approx"};
      for (int i = 0; i < 2; i++) {
        String name =
            "visitors-"
                + layout
                + "-"
                + events
                + "-"
                + options.getVisitorsWindow()
                + "-"
                + engine
                + "-"
                + modes[i];
        Path out = work.resolve("runs/" + name);
        List<String> args =
            new ArrayList<>(
                List.of(
                    "pageviews",
                    "--input=" + tree,
                    "--output=" + out,
                    "--quiet",
                    "--visitors=" + modes[i],
                    "--window=" + options.getVisitorsWindow(),
                    "--hllLgK=" + lgK));
        args.addAll(runnerArgs(engine));
        runs[i] =
            engines.measure(
                String.format(
                    Locale.ROOT,
                    "visitors %s %s %s, %s windows",
                    modes[i],
                    ResultTable.size(events),
                    layout,
                    options.getVisitorsWindow()),
                engine,
                events,
                name,
                out,
                "dev.sluice.runners.Sluice",
                args.toArray(new String[0]));
      }
      runs[0].check = runs[0].ok() ? "reference" : "";
      if (runs[0].ok() && runs[1].ok()) {
        VisitorsAccuracy accuracy =
            VisitorsAccuracy.compare(
                runs[0].output.resolve("pageviews"), runs[1].output.resolve("pageviews"), lgK);
        runs[1].check = accuracy.toString();
        progress("visitors %s %s on %s: %s", ResultTable.size(events), layout, engine, accuracy);
      }
      results.addAll(List.of(runs));
    }
  }

  /** The page-view tree of {@code layout} and {@code events}, generated once. */
  private Path pageViewTree(String layout, long events) throws IOException, InterruptedException {
    if (!layout.equals("realistic") && !layout.equals("seed")) {
      throw new IllegalArgumentException("unknown layout " + layout + ": realistic or seed");
    }
    Path tree = work.resolve("data/pageviews-" + layout + "-" + events);
    if (!Files.exists(tree.resolve(GenerateSparkifyLog.MANIFEST))) {
      progress("generating %s %s page views under %s", ResultTable.size(events), layout, tree);
      generate(
          tree,
          "generate-" + layout + "-" + events,
          "dev.sluice.runners.Sluice",
          "generate-pageviews",
          "--count=" + events,
          "--dist=" + layout,
          "--out=" + tree);
      Files.writeString(
          tree.resolve(GenerateSparkifyLog.MANIFEST), "count=" + events + " dist=" + layout + "\n");
    }
    return tree;
  }

  private void churn(String input) throws IOException, InterruptedException {
    boolean parquet = input.startsWith("parquet:");
    String source = parquet ? input.substring("parquet:".length()) : input;
    Path log;
    long events;
    String label;
    if (source.equals("mini")) {
      log = Path.of(options.getMiniLog()).toAbsolutePath();
      if (!Files.exists(log)) {
        throw new IllegalArgumentException("no file " + log + " (set --miniLog)");
      }
      events = countLines(log);
      label = "churn mini";
    } else if (source.matches("\\d+x")) {
      long times = Long.parseLong(source.substring(0, source.length() - 1));
      events = times * MINI_EVENTS;
      log = work.resolve("data/sparkify-" + source);
      label = "churn " + source;
      if (!Files.exists(log.resolve(GenerateSparkifyLog.MANIFEST))) {
        progress("generating a synthetic Sparkify log of %,d events under %s", events, log);
        generate(
            log,
            "generate-sparkify-" + input,
            GenerateSparkifyLog.class.getName(),
            log.toString(),
            Long.toString(events),
            Integer.toString(Math.max(4, cores)));
      }
      events = GenerateSparkifyLog.eventsWritten(log);
    } else {
      throw new IllegalArgumentException(
          "unknown churn input " + input + ": mini, Nx, parquet:mini or parquet:Nx");
    }
    if (parquet) {
      log = converted(log, source);
      label += " from Parquet";
    }
    runEngines(
        "churn",
        input.replace(':', '-'),
        label,
        events,
        log,
        Map.of("sparksql", SparkSqlChurn.class, "duckdb", DuckDbChurn.class),
        "labelled",
        "cancelled");
  }

  /**
   * Runs one workload on every engine of {@code --engines}, each in a fresh JVM: a native job of
   * {@code nativeJobs} ({@code JOB INPUT OUTPUT CORES}) or {@code sluice SUBCOMMAND --input
   * --output} on a runner; then checks {@code checkedOutputs} of each against Spark SQL's (or
   * DuckDB's, without a Spark SQL run) and keeps the results. Runs are named {@code
   * SUBCOMMAND-ID-ENGINE}.
   */
  private void runEngines(
      String subcommand,
      String id,
      String label,
      long events,
      Path input,
      Map<String, Class<?>> nativeJobs,
      String... checkedOutputs)
      throws IOException, InterruptedException {
    List<RunResult> runs = new ArrayList<>();
    for (String engine : list(options.getEngines())) {
      String name = subcommand + "-" + id + "-" + engine;
      Path out = work.resolve("runs/" + name);
      Class<?> nativeJob = nativeJobs.get(engine);
      if (nativeJob != null) {
        runs.add(
            engines.measure(
                label,
                engine,
                events,
                name,
                out,
                nativeJob.getName(),
                input.toString(),
                out.toString(),
                Integer.toString(cores)));
      } else {
        List<String> args =
            new ArrayList<>(List.of(subcommand, "--input=" + input, "--output=" + out, "--quiet"));
        args.addAll(runnerArgs(engine));
        runs.add(
            engines.measure(
                label,
                engine,
                events,
                name,
                out,
                "dev.sluice.runners.Sluice",
                args.toArray(new String[0])));
      }
    }
    engines.check(runs, checkedOutputs);
    results.addAll(runs);
  }

  /**
   * The Parquet events of a Sparkify log, converted once by {@code sluice convert} (zstd, no
   * partitions) in a fresh JVM: {@code WORK/data/sparkify-ID-parquet/events}.
   */
  private Path converted(Path log, String id) throws IOException, InterruptedException {
    Path root = work.resolve("data/sparkify-" + id + "-parquet");
    if (!Files.exists(root.resolve(GenerateSparkifyLog.MANIFEST))) {
      progress("converting %s to Parquet under %s", log, root);
      generate(
          root,
          "convert-sparkify-" + id,
          "dev.sluice.runners.Sluice",
          "convert",
          "--input=" + log,
          "--output=" + root,
          "--quiet");
      Files.writeString(root.resolve(GenerateSparkifyLog.MANIFEST), "converted from " + log + "\n");
    }
    return root.resolve("events");
  }

  /** Writes an input under {@code root} (emptied first) with {@code mainClass} in a fresh JVM. */
  private void generate(Path root, String name, String mainClass, String... args)
      throws IOException, InterruptedException {
    EngineRuns.deleteTree(root);
    if (engines.java(name, List.of(), mainClass, args).waitFor() != 0) {
      throw new IOException(mainClass + " failed writing " + root + ": see " + engines.log(name));
    }
  }

  private List<String> runnerArgs(String engine) {
    switch (engine) {
      case "direct":
        return List.of("--runner=DirectRunner", "--targetParallelism=" + cores);
      case "spark":
        return List.of("--runner=SparkRunner", "--sparkMaster=local[" + cores + "]");
      case "flink":
        return List.of("--runner=FlinkRunner", "--parallelism=" + cores);
      default:
        throw new IllegalArgumentException(
            "unknown engine " + engine + ": sparksql, duckdb, direct, spark or flink");
    }
  }

  /** A comma-separated flag value as a list, blanks dropped. */
  static List<String> list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
  }

  static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "benchmark: " + format + "%n", args);
  }

  /**
   * Parses an event count: a number with an optional K, M or G suffix (powers of 1,000).
   *
   * @throws IllegalArgumentException if it is not one
   */
  static long parseCount(String size) {
    String s = size.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (s.endsWith("K")) {
      unit = 1_000;
    } else if (s.endsWith("M")) {
      unit = 1_000_000;
    } else if (s.endsWith("G")) {
      unit = 1_000_000_000;
    }
    String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
    try {
      long count = Long.parseLong(digits) * unit;
      if (count <= 0) {
        throw new NumberFormatException();
      }
      return count;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an event count: " + size + " (such as 1M, 250K)");
    }
  }

  /** Lines in a file, or in the data files of a directory; gzip is read through. */
  static long countLines(Path path) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> list = Files.list(path)) {
        list.filter(p -> !p.getFileName().toString().matches("[._].*"))
            .sorted()
            .forEach(files::add);
      }
    } else {
      files.add(path);
    }
    long lines = 0;
    for (Path file : files) {
      var in = Files.newInputStream(file);
      var stream = file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16)) {
        while (reader.readLine() != null) {
          lines++;
        }
      }
    }
    return lines;
  }
}
