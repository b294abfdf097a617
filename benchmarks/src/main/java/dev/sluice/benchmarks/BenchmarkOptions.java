package dev.sluice.benchmarks;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Flags of {@code scripts/benchmark.sh}, parsed by Beam's options parser (so {@code --help} works).
 * Lists are comma-separated.
 */
public interface BenchmarkOptions extends PipelineOptions {

  @Description("Workloads to run: pageviews, churn, visitors (exact against approximate).")
  @Default.String("pageviews,churn")
  String getWorkloads();

  void setWorkloads(String workloads);

  @Description(
      "Sizes of the page-view trees, in events: 1M, 10M, 100M, 250K or a plain number; each is "
          + "run in every layout of --layouts unless it says one (seed:100M, realistic:1M). Trees "
          + "are generated once under --work and reused.")
  @Default.String("1M,10M")
  String getPageViews();

  void setPageViews(String sizes);

  @Description(
      "Layouts of the page-view trees: realistic (generate-pageviews --dist=realistic: 24 "
          + "customers, a week, 4,032 files) and seed (--dist=seed, the Spark-vs-Dask talk's: one "
          + "customer, one day, 24 large files).")
  @Default.String("realistic,seed")
  String getLayouts();

  void setLayouts(String layouts);

  @Description(
      "Churn inputs: mini (eventsim's mini.json.gz, see --miniLog) and Nx, a synthetic Sparkify log "
          + "of N times mini's 301,442 events (generated once under --work and reused); "
          + "parquet:mini and parquet:Nx read the same log converted once to zstd Parquet by "
          + "sluice convert, every engine from the same files.")
  @Default.String("mini,10x")
  String getChurn();

  void setChurn(String inputs);

  @Description(
      "Sizes of the visitors workload, [layout:]count: pageviews with --visitors=exact and "
          + "--visitors=approx on each Sluice engine, and the error of the approximate counts.")
  @Default.String("realistic:1M,realistic:10M")
  String getVisitorsSizes();

  void setVisitorsSizes(String sizes);

  @Description(
      "Window of the visitors workload (pageviews --window): larger windows give larger groups.")
  @Default.String("1h")
  String getVisitorsWindow();

  void setVisitorsWindow(String window);

  @Description("lgK of the visitors workload's sketches.")
  @Default.Integer(12)
  int getHllLgK();

  void setHllLgK(int lgK);

  @Description("The eventsim log that 'mini' names.")
  @Default.String("../shared/data/eventsim/mini.json.gz")
  String getMiniLog();

  void setMiniLog(String miniLog);

  @Description(
      "Engines, each run in a fresh JVM: sparksql and duckdb (the job written natively in Spark "
          + "SQL, in DuckDB), direct, spark (SparkRunner local[cores]), flink (FlinkRunner "
          + "embedded, parallelism cores).")
  @Default.String("sparksql,duckdb,direct,spark,flink")
  String getEngines();

  void setEngines(String engines);

  @Description(
      "Cores for each run: its JVM is pinned to CPUs 0..cores-1 with taskset when fewer than the "
          + "machine's, sees that many processors, and each engine gets that parallelism. "
          + "Default: all.")
  @Default.Integer(0)
  int getCores();

  void setCores(int cores);

  @Description("Maximum heap of each run's JVM (-Xmx), such as 3g.")
  @Default.String("3g")
  String getHeap();

  void setHeap(String heap);

  @Description("Working directory: data/ (generated inputs), runs/ (outputs), logs/, results.md.")
  @Default.String("target/benchmarks")
  String getWork();

  void setWork(String work);

  @Description(
      "Check that every engine's output equals Spark SQL's with `sluice diff` (pageviews: the "
          + "rollup; churn: labelled and cancelled).")
  @Default.Boolean(true)
  boolean getCheck();

  void setCheck(boolean check);

  @Description("Runner of the `sluice diff` checks.")
  @Default.String("FlinkRunner")
  String getCheckRunner();

  void setCheckRunner(String checkRunner);

  @Description("The JVM options file of every Sluice JVM (Spark's --add-opens list among them).")
  @Default.String(".mvn/jvm.config")
  String getJvmConfig();

  void setJvmConfig(String jvmConfig);

  @Description("Record a JFR profile of every run to logs/RUN.jfr (settings=profile).")
  @Default.Boolean(false)
  boolean getProfile();

  void setProfile(boolean profile);

  @Description("Extra JVM options for every run, space-separated.")
  @Default.String("")
  String getJvmOptions();

  void setJvmOptions(String jvmOptions);
}
