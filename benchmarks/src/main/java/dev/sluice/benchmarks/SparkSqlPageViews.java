package dev.sluice.benchmarks;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.window;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The hourly page-view rollup written natively in Spark SQL, as a Spark user would write it: the
 * baseline Sluice's {@code pageviews} pipeline is measured against.
 *
 * <p>{@code SparkSqlPageViews INPUT OUTPUT CORES}: {@code spark.read.parquet} of the Hive tree
 * (partition discovery gives {@code customer}), group by customer, url and {@code window(ts, '1
 * hour')} with {@code count} and {@code countDistinct(session_id)}, a second aggregation for the
 * map of referrer counts (null referrers not counted), joined back; then the same JSON objects as
 * Sluice's {@code FormatAsElasticsearchJson} (key order and spacing aside), written with {@code
 * write.json} to {@code OUTPUT/pageviews}, on {@code local[CORES]} with Spark's defaults otherwise
 * (adaptive query execution on, 200 shuffle partitions before coalescing). Windows are in UTC.
 */
public final class SparkSqlPageViews {

  private SparkSqlPageViews() {}

  /**
   * Runs the rollup and writes {@code OUTPUT/summary.json} with its wall time.
   *
   * @param args input tree, output directory, number of cores
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: SparkSqlPageViews INPUT OUTPUT CORES");
    }
    long start = System.currentTimeMillis();
    SparkSession spark = SparkSqlSessions.local("pageviews-sparksql", Integer.parseInt(args[2]));
    Dataset<Row> views = spark.read().parquet(args[0]).withColumn("w", window(col("ts"), "1 hour"));
    List<String> keys = List.of("customer", "url", "w");
    Column[] keyColumns = {col("customer"), col("url"), col("w")};
    Dataset<Row> counts =
        views
            .groupBy(keyColumns)
            .agg(count(lit(1)).as("page_views"), countDistinct(col("session_id")).as("visitors"));
    Dataset<Row> referrers =
        views
            .where(col("referrer").isNotNull())
            .groupBy(col("customer"), col("url"), col("w"), col("referrer"))
            .agg(count(lit(1)).as("n"))
            .groupBy(keyColumns)
            .agg(map_from_entries(collect_list(struct(col("referrer"), col("n")))).as("referrers"));
    Column ts = date_format(col("w.start"), "yyyy-MM-dd'T'HH:mm:ss");
    counts
        .join(referrers, SparkSqlSessions.seq(keys), "left")
        .select(
            concat_ws("|", col("url"), col("customer"), ts).as("_id"),
            lit("events").as("_index"),
            col("customer"),
            col("url"),
            lit("1hour").as("freq"),
            ts.as("ts"),
            struct(col("page_views"), col("visitors")).as("metrics"),
            coalesce(col("referrers"), expr("cast(map() as map<string, bigint>)")).as("referrers"))
        .write()
        .mode(SaveMode.Overwrite)
        .json(args[1] + "/pageviews");
    spark.stop();
    SparkSqlSessions.writeSummary(
        args[1], "pageviews-sparksql", System.currentTimeMillis() - start);
  }
}
