package dev.sluice.benchmarks;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Sparkify churn preparation written natively in Spark SQL, as a Spark user would write it: the
 * baseline Sluice's {@code churn} pipeline is measured against.
 *
 * <p>{@code SparkSqlChurn INPUT OUTPUT CORES}: {@code spark.read.json} of the event log with the
 * Sparkify schema given (so no inference pass), or {@code spark.read.parquet} of a directory of
 * Parquet files (its schema is in the files), events of guests ({@code userId} empty or null)
 * dropped, the distinct users with an event on {@code Cancellation Confirmation} broadcast-joined
 * back as {@code label} 1 (0 for the others), {@code churn} true on that page; the labelled events
 * cached and written with {@code write.json} to {@code OUTPUT/labelled}, and split into {@code
 * stayed} (label 0) and {@code cancelled} (label 1), with nulls kept as Sluice writes them. The
 * definition is Udacity's Sparkify project, as in Sluice's {@code LabelChurn}. On {@code
 * local[CORES]} with Spark's defaults otherwise.
 */
public final class SparkSqlChurn {

  /** The Sparkify columns and their types. */
  static final StructType SCHEMA =
      new StructType()
          .add("artist", DataTypes.StringType)
          .add("auth", DataTypes.StringType)
          .add("firstName", DataTypes.StringType)
          .add("gender", DataTypes.StringType)
          .add("itemInSession", DataTypes.LongType)
          .add("lastName", DataTypes.StringType)
          .add("length", DataTypes.DoubleType)
          .add("level", DataTypes.StringType)
          .add("location", DataTypes.StringType)
          .add("method", DataTypes.StringType)
          .add("page", DataTypes.StringType)
          .add("registration", DataTypes.LongType)
          .add("sessionId", DataTypes.LongType)
          .add("song", DataTypes.StringType)
          .add("status", DataTypes.LongType)
          .add("ts", DataTypes.LongType)
          .add("userAgent", DataTypes.StringType)
          .add("userId", DataTypes.StringType);

  private static final String CHURN_PAGE = "Cancellation Confirmation";

  private SparkSqlChurn() {}

  /**
   * Runs the preparation and writes {@code OUTPUT/summary.json} with its wall time.
   *
   * @param args input (file, directory or glob of JSON lines, gzip allowed), output directory,
   *     number of cores
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: SparkSqlChurn INPUT OUTPUT CORES");
    }
    long start = System.currentTimeMillis();
    SparkSession spark = SparkSqlSessions.local("churn-sparksql", Integer.parseInt(args[2]));
    Dataset<Row> read =
        isParquet(args[0])
            ? spark.read().parquet(args[0])
            : spark.read().schema(SCHEMA).json(args[0]);
    Dataset<Row> events = read.where("userId IS NOT NULL AND userId != ''");
    Dataset<Row> churned =
        events
            .where(col("page").equalTo(CHURN_PAGE))
            .select("userId")
            .distinct()
            .withColumn("label", lit(1));
    Dataset<Row> labelled =
        events
            .join(broadcast(churned), SparkSqlSessions.seq(List.of("userId")), "left")
            .withColumn("churn", col("page").equalTo(CHURN_PAGE))
            .withColumn("label", coalesce(col("label"), lit(0)))
            .cache();
    write(labelled, args[1] + "/labelled");
    write(labelled.where("label = 0"), args[1] + "/stayed");
    write(labelled.where("label = 1"), args[1] + "/cancelled");
    spark.stop();
    SparkSqlSessions.writeSummary(args[1], "churn-sparksql", System.currentTimeMillis() - start);
  }

  /** Whether {@code input} is a directory of Parquet files (as {@code sluice convert} writes). */
  static boolean isParquet(String input) throws IOException {
    Path dir = Path.of(input);
    if (!Files.isDirectory(dir)) {
      return input.endsWith(".parquet");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
    }
  }

  private static void write(Dataset<Row> rows, String path) {
    rows.write().mode(SaveMode.Overwrite).option("ignoreNullFields", "false").json(path);
  }
}
