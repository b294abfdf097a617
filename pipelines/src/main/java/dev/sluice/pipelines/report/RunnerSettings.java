package dev.sluice.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;

/**
 * Runner settings for the run report, read without depending on any runner: the options are
 * serialized as Beam ships them to workers, and only the parallelism settings are read back.
 */
final class RunnerSettings {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));
  private static final Pattern LOCAL_MASTER =
      Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?\\])?");

  private RunnerSettings() {}

  /**
   * How many tasks run at once, as the runner's own settings say: DirectRunner {@code
   * --targetParallelism} (Beam's default: the number of cores, at least 3); SparkRunner the N of
   * {@code --sparkMaster=local[N]} ({@code *}: the number of cores), else the master URL (under
   * spark-submit: its {@code --master}); FlinkRunner {@code --parallelism} (embedded default: the
   * number of cores). Other runners: {@code "unknown"}.
   */
  static String parallelism(PipelineOptions options) {
    JsonNode set;
    try {
      set = MAPPER.valueToTree(options).path("options");
    } catch (IllegalArgumentException e) {
      return "unknown";
    }
    int cores = Runtime.getRuntime().availableProcessors();
    switch (options.getRunner().getSimpleName()) {
      case "DirectRunner":
        int target = set.path("targetParallelism").asInt(0);
        return String.valueOf(target > 0 ? target : Math.max(cores, 3));
      case "SparkRunner":
        // spark-submit's --master, when it started the JVM, is the one Spark uses.
        String master =
            System.getProperty("spark.master", set.path("sparkMaster").asText("local[4]"));
        Matcher local = LOCAL_MASTER.matcher(master);
        if (!local.matches()) {
          return master;
        }
        String n = local.group(1);
        return n == null ? "1" : n.equals("*") ? String.valueOf(cores) : n;
      case "FlinkRunner":
        int parallelism = set.path("parallelism").asInt(-1);
        String flinkMaster = set.path("flinkMaster").asText("[auto]");
        if (parallelism > 0) {
          return String.valueOf(parallelism);
        }
        return flinkMaster.startsWith("[") ? String.valueOf(cores) : "cluster default";
      default:
        return "unknown";
    }
  }

  /** Sluice's version, from the build ({@code version.properties}); {@code "unknown"} if absent. */
  static String sluiceVersion() {
    Properties properties = new Properties();
    try (InputStream in = RunnerSettings.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    return properties.getProperty("version", "unknown");
  }
}
