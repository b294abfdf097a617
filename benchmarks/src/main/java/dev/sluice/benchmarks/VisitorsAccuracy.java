package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pageviews.VisitorSketches;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How far {@code pageviews --visitors=approx} is from the exact counts: both runs' JSON records
 * joined by {@code _id}; every other field must be equal, and each group's error is measured in
 * standard errors of the sketch ({@link VisitorSketches#relativeStandardError} times the exact
 * count). Reports the groups, the largest error, and the share within 1, 2 and 3 standard errors.
 */
final class VisitorsAccuracy {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  long groups;
  long exactlyEqual;
  long within1;
  long within2;
  long within3;
  long otherFieldsDiffer;
  long missing;
  double maxStandardErrors;
  String worst = "";

  /**
   * Compares the records of {@code exact} with those of {@code approx}.
   *
   * @param exact the {@code pageviews/} folder of the exact run
   * @param approx the {@code pageviews/} folder of the approximate run
   * @param lgK the sketches' lgK
   * @throws IOException if a file cannot be read
   */
  static VisitorsAccuracy compare(Path exact, Path approx, int lgK) throws IOException {
    double se = VisitorSketches.relativeStandardError(lgK);
    // Per _id of the exact run: its visitors, and a fingerprint of every other field.
    Map<String, long[]> reference = new HashMap<>();
    for (Path file : files(exact)) {
      try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          ObjectNode record = (ObjectNode) MAPPER.readTree(line);
          reference.put(
              record.get("_id").asText(),
              new long[] {record.at("/metrics/visitors").asLong(), fingerprint(record)});
        }
      }
    }
    VisitorsAccuracy accuracy = new VisitorsAccuracy();
    for (Path file : files(approx)) {
      try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          ObjectNode record = (ObjectNode) MAPPER.readTree(line);
          String id = record.get("_id").asText();
          long[] want = reference.remove(id);
          if (want == null) {
            accuracy.missing++;
            continue;
          }
          accuracy.add(id, want[0], record.at("/metrics/visitors").asLong(), se);
          if (fingerprint(record) != want[1]) {
            accuracy.otherFieldsDiffer++;
          }
        }
      }
    }
    accuracy.missing += reference.size();
    return accuracy;
  }

  /** A 64-bit hash of a record without its visitors (which it removes). */
  private static long fingerprint(ObjectNode record) {
    ((ObjectNode) record.get("metrics")).remove("visitors");
    String text = record.toString();
    long hash = 1125899906842597L;
    for (int i = 0; i < text.length(); i++) {
      hash = 31 * hash + text.charAt(i);
    }
    return hash;
  }

  private void add(String id, long exact, long estimate, double se) {
    groups++;
    double errors = exact == 0 ? 0 : Math.abs(estimate - exact) / (se * exact);
    exactlyEqual += estimate == exact ? 1 : 0;
    within1 += errors <= 1 ? 1 : 0;
    within2 += errors <= 2 ? 1 : 0;
    within3 += errors <= 3 ? 1 : 0;
    if (errors > maxStandardErrors) {
      maxStandardErrors = errors;
      worst = id + ": " + estimate + " for " + exact;
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(f -> f.getFileName().toString().endsWith(".json"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** Whether every group is within three standard errors and nothing else differs. */
  boolean withinThreeStandardErrors() {
    return groups > 0 && within3 == groups && otherFieldsDiffer == 0 && missing == 0;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%s: %,d groups, %,d exact, within 1/2/3 SE %.2f%%/%.3f%%/%.3f%%, max %.2f SE (%s)%s",
        withinThreeStandardErrors() ? "all within 3 SE" : "NOT all within 3 SE",
        groups,
        exactlyEqual,
        100.0 * within1 / Math.max(1, groups),
        100.0 * within2 / Math.max(1, groups),
        100.0 * within3 / Math.max(1, groups),
        maxStandardErrors,
        worst,
        otherFieldsDiffer + missing == 0
            ? ""
            : String.format(
                Locale.ROOT, "; %,d differ elsewhere, %,d missing", otherFieldsDiffer, missing));
  }
}
