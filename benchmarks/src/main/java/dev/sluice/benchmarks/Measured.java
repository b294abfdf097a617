package dev.sluice.benchmarks;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs one main class in this JVM and, when the JVM exits (by {@code System.exit} or by returning),
 * writes what the process cost to a file, as {@code cpu_seconds peak_rss_bytes} on one line.
 *
 * <p>{@code java ... dev.sluice.benchmarks.Measured REPORT MAIN_CLASS ARGS...}. CPU seconds are the
 * process's user plus system time from {@code /proc/self/stat} (every thread: engine, JIT and GC);
 * peak RSS is {@code VmHWM} from {@code /proc/self/status}, in bytes. Both are read in a shutdown
 * hook, so they cover the whole process, JVM start included. On a system without {@code /proc} the
 * file says {@code -1 -1}.
 */
public final class Measured {

  /**
   * Linux's clock ticks per second ({@code getconf CLK_TCK}), the unit of {@code /proc/self/stat}.
   */
  static final long CLOCK_TICKS_PER_SECOND = 100;

  private Measured() {}

  /**
   * Runs {@code args[1]}'s {@code main} with {@code args[2..]}, then writes the figures to {@code
   * args[0]}.
   *
   * @param args the report file, the main class, its arguments
   * @throws Exception whatever the main class throws (its exit status is then 1)
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: Measured REPORT MAIN_CLASS [ARGS...]");
    }
    Path report = Path.of(args[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> write(report), "measured-report"));
    Method main = Class.forName(args[1]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
    // Engines leave non-daemon threads behind; the run is over when main returns.
    System.exit(0);
  }

  private static void write(Path report) {
    String line = cpuSeconds() + " " + peakRssBytes() + "\n";
    try {
      Files.writeString(report, line, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("cannot write " + report + ": " + e);
    }
  }

  /** User plus system CPU seconds of this process, or -1 without {@code /proc}. */
  static double cpuSeconds() {
    try {
      return cpuSecondsOf(Files.readString(Path.of("/proc/self/stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Parses user plus system time from a {@code /proc/PID/stat} line (fields 14 and 15, counted
   * after the parenthesised command name, which may hold spaces).
   */
  static double cpuSecondsOf(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return (double) ticks / CLOCK_TICKS_PER_SECOND;
  }

  /** Peak resident set size of this process in bytes, or -1 without {@code /proc}. */
  static long peakRssBytes() {
    try {
      return peakRssBytesOf(Files.readString(Path.of("/proc/self/status")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Parses {@code VmHWM: 123456 kB} from a {@code /proc/PID/status} text, in bytes. */
  static long peakRssBytesOf(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmHWM:")) {
        String kb = line.substring("VmHWM:".length()).trim().split("\\s+")[0];
        return Long.parseLong(kb) * 1024;
      }
    }
    return -1;
  }
}
