package dev.sluice.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;

/**
 * The Sparkify churn preparation in DuckDB, the way a DuckDB user writes it: the second baseline,
 * beside {@link SparkSqlChurn}, that Sluice's {@code churn} is measured against.
 *
 * <p>{@code DuckDbChurn INPUT OUTPUT CORES}: {@code read_json} of the event log (a file, or every
 * file of a directory) with the Sparkify columns given ({@code registration} read as a double and
 * cast, as the 2018 logs write it as {@code 1540991795796.0}), or {@code read_parquet} of a
 * directory of Parquet files, events of guests ({@code userId} empty or null) dropped, {@code
 * label} 1 for users with an event on {@code Cancellation Confirmation}, {@code churn} true on that
 * page; written with {@code COPY ... (FORMAT JSON)} to {@code OUTPUT/labelled}, {@code stayed}
 * (label 0) and {@code cancelled} (label 1), with {@code threads=CORES}. The definition is
 * Udacity's Sparkify project, as in Sluice's {@code LabelChurn}.
 */
public final class DuckDbChurn {

  private static final String COLUMNS =
      "{artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR',"
          + " itemInSession: 'BIGINT', lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR',"
          + " location: 'VARCHAR', method: 'VARCHAR', page: 'VARCHAR', registration: 'DOUBLE',"
          + " sessionId: 'BIGINT', song: 'VARCHAR', status: 'BIGINT', ts: 'BIGINT',"
          + " userAgent: 'VARCHAR', userId: 'VARCHAR'}";

  private DuckDbChurn() {}

  /**
   * Runs the preparation and writes {@code OUTPUT/summary.json} with its wall time.
   *
   * @param args input (file or directory of JSON lines, gzip allowed), output directory, number of
   *     cores
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: DuckDbChurn INPUT OUTPUT CORES");
    }
    long start = System.currentTimeMillis();
    boolean parquet = SparkSqlChurn.isParquet(args[0]);
    String input =
        Files.isDirectory(Path.of(args[0]))
            ? args[0] + (parquet ? "/*.parquet" : "/[!._]*")
            : args[0];
    String source =
        parquet
            ? "read_parquet('" + input + "')"
            : "read_json('" + input + "', format = 'newline_delimited', columns = " + COLUMNS + ")";
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      statement.execute("SET threads = " + Integer.parseInt(args[2]));
      statement.execute(
          "CREATE TABLE labelled AS"
              + " WITH e AS (SELECT * FROM "
              + source
              + " WHERE userId IS NOT NULL AND userId <> ''),"
              + " churned AS (SELECT DISTINCT userId FROM e"
              + "   WHERE page = 'Cancellation Confirmation')"
              + " SELECT artist, auth, firstName, gender, itemInSession, lastName, length, level,"
              + "   location, method, page, CAST(registration AS BIGINT) AS registration,"
              + "   sessionId, song, status, ts, userAgent, e.userId,"
              + "   page = 'Cancellation Confirmation' AS churn,"
              + "   CASE WHEN churned.userId IS NULL THEN 0 ELSE 1 END AS label"
              + " FROM e LEFT JOIN churned ON e.userId = churned.userId");
      for (String[] output :
          new String[][] {
            {"labelled", "true"}, {"stayed", "label = 0"}, {"cancelled", "label = 1"}
          }) {
        Path dir = Path.of(args[1], output[0]);
        Files.createDirectories(dir);
        statement.execute(
            String.format(
                Locale.ROOT,
                "COPY (SELECT * FROM labelled WHERE %s) TO '%s' (FORMAT JSON)",
                output[1],
                dir.resolve("part-0.json")));
      }
    }
    SparkSqlSessions.writeSummary(args[1], "churn-duckdb", System.currentTimeMillis() - start);
  }
}
