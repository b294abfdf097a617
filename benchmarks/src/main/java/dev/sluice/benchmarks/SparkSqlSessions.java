package dev.sluice.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/** What the native Spark SQL jobs share: their session, and the summary they leave behind. */
final class SparkSqlSessions {

  private SparkSqlSessions() {}

  /**
   * A {@code local[cores]} session with Spark's defaults, but listening on 127.0.0.1 only, without
   * the web UI, and with UTC as the session time zone (Sluice's windows are in UTC).
   */
  static SparkSession local(String appName, int cores) {
    return SparkSession.builder()
        .appName(appName)
        .master("local[" + cores + "]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate();
  }

  /**
   * A Java list as the Scala {@code Seq} that {@code Dataset.join(..., usingColumns, ...)} takes.
   */
  static Seq<String> seq(List<String> columns) {
    return JavaConverters.asScalaBuffer(columns).toSeq();
  }

  /**
   * Writes {@code OUTPUT/summary.json} with the job's wall time in seconds, the one figure of
   * Sluice's own summary that the benchmark reads.
   */
  static void writeSummary(String output, String job, long wallMillis) throws IOException {
    String json =
        String.format(
            Locale.ROOT,
            "{\"pipeline\": \"%s\", \"wall_time_seconds\": %.3f}%n",
            job,
            wallMillis / 1000.0);
    Files.writeString(Path.of(output, "summary.json"), json, StandardCharsets.UTF_8);
  }
}
