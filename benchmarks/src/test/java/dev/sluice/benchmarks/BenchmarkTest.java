package dev.sluice.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/** The benchmark's parsing of flags, of /proc figures, and its table. */
public class BenchmarkTest {

  @Test
  public void parsesEventCounts() {
    assertEquals(1_000_000, Benchmark.parseCount("1M"));
    assertEquals(10_000_000, Benchmark.parseCount("10m"));
    assertEquals(250_000, Benchmark.parseCount("250K"));
    assertEquals(1_234, Benchmark.parseCount("1234"));
    assertThrows(IllegalArgumentException.class, () -> Benchmark.parseCount("ten"));
    assertThrows(IllegalArgumentException.class, () -> Benchmark.parseCount("0"));
    assertEquals(List.of("sparksql", "flink"), Benchmark.list(" sparksql, ,flink"));
  }

  @Test
  public void readsCpuTimeAndPeakRssFromProc() {
    // Field 2 may hold spaces and parentheses; utime 1234 and stime 66 ticks are fields 14, 15.
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 66 0 0 20 0 40 0";
    assertEquals(13.0, Measured.cpuSecondsOf(stat), 1e-9);
    String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmHWM:\t  2048 kB\nVmRSS:\t 1024 kB\n";
    assertEquals(2048L * 1024, Measured.peakRssBytesOf(status));
    assertEquals(-1, Measured.peakRssBytesOf("Name:\tjava\n"));
  }

  @Test
  public void tableComparesEachEngineWithSparkSqlOfTheSameWorkload() {
    RunResult sql = run("pageviews 1M", "sparksql", 20.0);
    RunResult flink = run("pageviews 1M", "flink", 10.0);
    RunResult failed = run("pageviews 1M", "direct", 5.0);
    failed.exitCode = 1;
    String table = ResultTable.markdown(List.of(sql, flink, failed));
    assertThat(
        table,
        containsString(
            "| pageviews 1M | 1,000,000 | Spark SQL (native) | 20.0 | 18.0 | 50,000 | 30.0 | 1.5 GiB "
                + "| 1.00x | reference |"));
    assertThat(
        table,
        containsString(
            "| pageviews 1M | 1,000,000 | Sluice FlinkRunner | 10.0 | 18.0 | 100,000 | 30.0 | 1.5 GiB "
                + "| 2.00x | equal |"));
    assertThat(table, containsString("| Sluice DirectRunner | failed (exit 1) |"));
    assertEquals("10M", ResultTable.size(10_000_000));
    assertEquals("512 MiB", ResultTable.bytes(512L << 20));
  }

  private static RunResult run(String workload, String engine, double wall) {
    RunResult run = new RunResult(workload, engine, 1_000_000, engine, Path.of("out"));
    run.exitCode = 0;
    run.wallSeconds = wall;
    run.jobSeconds = 18.0;
    run.cpuSeconds = 30.0;
    run.peakRssBytes = 3L << 29;
    run.check = engine.equals("sparksql") ? "reference" : "equal";
    return run;
  }
}
