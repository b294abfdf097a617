package dev.sluice.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The hourly page-view rollup as one DuckDB statement, the way a DuckDB user writes it: the
 * baseline Sluice's {@code pageviews} is measured against, beside {@link SparkSqlPageViews}.
 *
 * <p>{@code DuckDbPageViews INPUT OUTPUT CORES}: {@code read_parquet('INPUT/**&#47;*.parquet',
 * hive_partitioning=true)}, grouped by customer, url and the hour of {@code ts} (UTC, from its
 * epoch milliseconds), with {@code count(*)}, {@code count(DISTINCT session_id)} and a map of
 * referrer counts (null referrers not counted); the same JSON objects as Sluice's {@code
 * FormatAsElasticsearchJson} (key order and spacing aside), written with {@code COPY ... (FORMAT
 * JSON)} to {@code OUTPUT/pageviews/part-0.json}, with {@code threads=CORES}.
 */
public final class DuckDbPageViews {

  private DuckDbPageViews() {}

  /** The statement, for an input tree and an output file. */
  static String sql(String input, String output) {
    return "COPY ("
        + " WITH v AS ("
        + "   SELECT customer, url, referrer, session_id,"
        + "          epoch_ms(ts) // 3600000 * 3600000 AS hour_ms"
        + "   FROM read_parquet('"
        + input
        + "/**/*.parquet', hive_partitioning = true)),"
        + " counts AS ("
        + "   SELECT customer, url, hour_ms, count(*) AS page_views,"
        + "          count(DISTINCT session_id) AS visitors"
        + "   FROM v GROUP BY customer, url, hour_ms),"
        + " refs AS ("
        + "   SELECT customer, url, hour_ms, map_from_entries(list({'k': referrer, 'v': n})) AS m"
        + "   FROM (SELECT customer, url, hour_ms, referrer, count(*) AS n FROM v"
        + "         WHERE referrer IS NOT NULL GROUP BY customer, url, hour_ms, referrer)"
        + "   GROUP BY customer, url, hour_ms)"
        + " SELECT url || '|' || customer || '|' || strftime(make_timestamp(hour_ms * 1000),"
        + "          '%Y-%m-%dT%H:%M:%S') AS _id,"
        + "        'events' AS _index, customer, url, '1hour' AS freq,"
        + "        strftime(make_timestamp(hour_ms * 1000), '%Y-%m-%dT%H:%M:%S') AS ts,"
        + "        {'page_views': page_views, 'visitors': visitors} AS metrics,"
        + "        coalesce(refs.m, MAP {}) AS referrers"
        + " FROM counts LEFT JOIN refs USING (customer, url, hour_ms)"
        + ") TO '"
        + output
        + "' (FORMAT JSON)";
  }

  /**
   * Runs the rollup and writes {@code OUTPUT/summary.json} with its wall time.
   *
   * @param args input tree, output directory, number of cores
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: DuckDbPageViews INPUT OUTPUT CORES");
    }
    long start = System.currentTimeMillis();
    Path out = Path.of(args[1], "pageviews");
    Files.createDirectories(out);
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute("SET threads = " + Integer.parseInt(args[2]));
      statement.execute(sql(args[0], out.resolve("part-0.json").toString()));
    }
    SparkSqlSessions.writeSummary(args[1], "pageviews-duckdb", System.currentTimeMillis() - start);
  }
}
