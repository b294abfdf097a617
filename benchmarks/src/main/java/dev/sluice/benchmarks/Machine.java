package dev.sluice.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A one-line description of the machine a benchmark ran on, from {@code /proc}. */
final class Machine {

  private Machine() {}

  /** Such as {@code 2 of 2 cores (Intel Xeon ...), 23.4 GiB RAM, Java 17.0.15, heap 3g, Linux}. */
  static String describe(int cores, String heap) {
    String cpu = field("/proc/cpuinfo", "model name");
    String memory = field("/proc/meminfo", "MemTotal");
    String ram = "";
    if (!memory.isEmpty()) {
      long kb = Long.parseLong(memory.replaceAll("[^0-9]", ""));
      ram = String.format(Locale.ROOT, ", %.1f GiB RAM", kb / 1024.0 / 1024);
    }
    return String.format(
        Locale.ROOT,
        "%d of %d cores%s%s, Java %s, heap %s per run, %s %s",
        cores,
        Runtime.getRuntime().availableProcessors(),
        cpu.isEmpty() ? "" : " (" + cpu + ")",
        ram,
        System.getProperty("java.version"),
        heap,
        System.getProperty("os.name"),
        System.getProperty("os.version"));
  }

  private static String field(String file, String name) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(name)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: describe without it.
    }
    return "";
  }
}
