package dev.sluice.runners;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The settings Sluice adds for the runner a command line names, so that {@code --runner} is the
 * only switch a user needs. Nothing the user set is overridden.
 *
 * <ul>
 *   <li>DirectRunner (the default): {@code --enforceImmutability=false
 *       --enforceEncodability=false}; these checks catch bugs in tests (where they stay on) and
 *       triple the run time; {@code --blockOnRun=false}, so that {@code run()} returns and progress
 *       can be polled.
 *   <li>SparkRunner: {@code --sparkMaster=local[*]} (every core), unless spark-submit started the
 *       JVM (the system property {@code spark.master} is set: its master and jars apply); {@code
 *       --storageLevel=MEMORY_AND_DISK} (cached RDDs spill instead of being recomputed, which would
 *       count Beam metrics twice); the driver binds to 127.0.0.1 ({@code spark.driver.host}, {@code
 *       spark.driver.bindAddress}); the console progress bar is off; the web UI
 *       (http://127.0.0.1:4040, where jobs show the Beam step names as RDD names) is on when the
 *       environment has {@code SPARK_LOCAL_IP=127.0.0.1}, and off otherwise, because Spark would
 *       bind it to every interface.
 *   <li>FlinkRunner: {@code --fasterCopy=true} unless the job takes checkpoints ({@code
 *       --checkpointingInterval} above 0) or starts from one ({@code --savepointPath}): no copy of
 *       elements between chained operators, since Sluice's DoFns never mutate their inputs. With
 *       checkpoints it would also disable the copy-on-write of the heap state backend, and
 *       accumulators that combiners update in place would be snapshotted with later input (counted
 *       twice after a restore). {@code --finishBundleBeforeCheckpointing=true} (with checkpointing,
 *       Beam 2.62 otherwise keeps what a bundle emits during a checkpoint until the next bundle
 *       starts, and a stream's windowed files appear only when it stops). With the embedded cluster
 *       ({@code --flinkMaster} unset, {@code [auto]}, {@code [local]}): a generated {@code
 *       --flinkConfDir} whose {@code flink-conf.yaml} binds every endpoint to 127.0.0.1 and gives
 *       the job the JVM's classpath ({@code pipeline.classpaths}); without it, under {@code mvn
 *       exec:java}, Flink's JobMaster cannot load the job's classes. It also carries {@code
 *       --savepointPath} as {@code execution.savepoint.path}, which Beam applies to remote clusters
 *       only.
 * </ul>
 */
final class RunnerDefaults {

  private RunnerDefaults() {}

  /** The runner a command line selects: DIRECT, SPARK, FLINK or OTHER. */
  enum Runner {
    DIRECT,
    SPARK,
    FLINK,
    OTHER
  }

  static Runner runnerOf(List<String> args) {
    String runner =
        args.stream()
            .filter(a -> a.startsWith("--runner="))
            .reduce((first, second) -> second)
            .map(a -> a.substring("--runner=".length()).toLowerCase(Locale.ROOT))
            .orElse("directrunner");
    String simple = runner.substring(runner.lastIndexOf('.') + 1);
    switch (simple) {
      case "direct":
      case "directrunner":
        return Runner.DIRECT;
      case "spark":
      case "sparkrunner":
        return Runner.SPARK;
      case "flink":
      case "flinkrunner":
        return Runner.FLINK;
      default:
        return Runner.OTHER;
    }
  }

  /**
   * Returns {@code args} with the defaults of the runner they select added.
   *
   * @throws IOException if the embedded Flink configuration cannot be written
   */
  static String[] apply(String[] args) throws IOException {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    switch (runnerOf(all)) {
      case DIRECT:
        addIfAbsent(all, "enforceImmutability", "false");
        addIfAbsent(all, "enforceEncodability", "false");
        // run() returns at once, so that progress lines can be printed while the pipeline runs.
        addIfAbsent(all, "blockOnRun", "false");
        break;
      case SPARK:
        // Under spark-submit, which sets the system property spark.master, the master and the
        // jars are spark-submit's (--master, the application jar, --jars local:...). A Beam
        // --sparkMaster that is not local[N] would make Beam list the whole classpath as
        // --filesToStage and replace spark.jars with it.
        if (System.getProperty("spark.master") == null) {
          addIfAbsent(all, "sparkMaster", "local[*]");
        }
        // Cached RDDs that do not fit spill to disk instead of being recomputed: a recomputation
        // repeats side effects such as Beam's metrics (Spark accumulators), which would then
        // count twice.
        addIfAbsent(all, "storageLevel", "MEMORY_AND_DISK");
        setPropertyIfAbsent("spark.driver.host", "127.0.0.1");
        setPropertyIfAbsent("spark.driver.bindAddress", "127.0.0.1");
        setPropertyIfAbsent("spark.ui.showConsoleProgress", "false");
        // Spark's web UI binds to SPARK_LOCAL_IP, an environment variable a running JVM cannot
        // set, or else to every interface: on only where it stays on loopback.
        boolean loopback = isLoopback(System.getenv("SPARK_LOCAL_IP"));
        setPropertyIfAbsent("spark.ui.enabled", String.valueOf(loopback));
        setPropertyIfAbsent("spark.ui.port", "4040");
        break;
      case FLINK:
        if (!checkpoints(all)) {
          // With checkpoints, fasterCopy also turns off the copy-on-write of Flink's heap state
          // backend (CopyOnWriteStateMap copies an entry a snapshot still reads through the state
          // serializer, and fasterCopy makes Beam's CoderTypeSerializer.copy the identity): an
          // accumulator updated in place during an asynchronous snapshot is written with views
          // that came after the barrier, and a restored job counts them twice. Checkpointing set
          // only in a --flinkConfDir of the user's is not seen here: pass --fasterCopy=false then.
          addIfAbsent(all, "fasterCopy", "true");
        }
        // With checkpointing, output that a bundle emits while a checkpoint finishes it waits in
        // operator state for the next bundle; a quiet stream's windowed files then appear only
        // when it ends. Finishing bundles before the barrier sends that output on at once.
        addIfAbsent(all, "finishBundleBeforeCheckpointing", "true");
        String master = valueOf(all, "flinkMaster");
        boolean embedded = master == null || master.equals("[auto]") || master.equals("[local]");
        if (embedded && valueOf(all, "flinkConfDir") == null) {
          all.add("--flinkConfDir=" + embeddedFlinkConf(valueOf(all, "savepointPath")));
        }
        break;
      default:
        break;
    }
    return all.toArray(new String[0]);
  }

  /** True for 127.0.0.1 (any 127.x.y.z), ::1 and localhost. */
  static boolean isLoopback(String host) {
    return host != null
        && (host.startsWith("127.") || host.equals("::1") || host.equals("localhost"));
  }

  /** Whether a Flink command line takes checkpoints or starts from one. */
  static boolean checkpoints(List<String> args) {
    String interval = valueOf(args, "checkpointingInterval");
    boolean periodic = false;
    if (interval != null) {
      try {
        periodic = Long.parseLong(interval.trim()) > 0;
      } catch (NumberFormatException e) {
        // Beam's option parser reports it.
        periodic = true;
      }
    }
    return periodic || valueOf(args, "savepointPath") != null;
  }

  private static void addIfAbsent(List<String> args, String option, String value) {
    if (valueOf(args, option) == null && !args.contains("--" + option)) {
      args.add("--" + option + "=" + value);
    }
  }

  private static String valueOf(List<String> args, String option) {
    String prefix = "--" + option + "=";
    return args.stream()
        .filter(a -> a.startsWith(prefix))
        .map(a -> a.substring(prefix.length()))
        .reduce((first, second) -> second)
        .orElse(null);
  }

  private static void setPropertyIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /**
   * Writes a Flink configuration directory for the embedded cluster; returns its path. Beam applies
   * {@code --savepointPath} only to a remote cluster; for the embedded one it becomes {@code
   * execution.savepoint.path}, so that a restarted embedded job resumes from a retained checkpoint
   * or a savepoint too.
   */
  static Path embeddedFlinkConf(String savepointPath) throws IOException {
    Path dir = Files.createTempDirectory("sluice-flink-conf");
    dir.toFile().deleteOnExit();
    String classpath = classpathUrls().stream().map(URL::toString).collect(Collectors.joining(";"));
    List<String> conf =
        new ArrayList<>(
            List.of(
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.bind-host: 127.0.0.1",
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.host: 127.0.0.1",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "pipeline.classpaths: " + classpath));
    if (savepointPath != null) {
      conf.add("execution.savepoint.path: " + savepointPath);
    }
    Path file = dir.resolve("flink-conf.yaml");
    Files.write(file, conf, StandardCharsets.UTF_8);
    file.toFile().deleteOnExit();
    return dir;
  }

  /** The URLs of this JVM's application classpath, as mvn exec:java or java -cp set it. */
  static List<URL> classpathUrls() throws IOException {
    Set<URL> urls = new LinkedHashSet<>();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    while (loader != null) {
      if (loader instanceof URLClassLoader) {
        urls.addAll(Arrays.asList(((URLClassLoader) loader).getURLs()));
      }
      loader = loader.getParent();
    }
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    return new ArrayList<>(urls);
  }
}
