package dev.sluice.pipelines.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.movement.HeavyKeys;
import dev.sluice.movement.ObserveShuffle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where a finished run moved its data, read back from the counters of {@link ObserveShuffle} and
 * {@link HeavyKeys}: per shuffle, the elements and encoded bytes in and out, and the {@value #TOP}
 * heaviest keys with their estimated elements and share of the keyed elements, and {@code
 * max_error}, by how much an estimate can exceed the true count (0: exact). Shuffles are listed
 * heaviest first (bytes in, then elements in). Counts are whatever the steps counted: a count a
 * shuffle does not measure (bytes out of a {@code GroupByKey}) is absent.
 *
 * <p>{@code summary.json} holds it as {@code "shuffles"}, and the end-of-run table shows the
 * {@value #TABLE_ROWS} heaviest.
 */
public final class DataMovement {

  /** How many heavy keys each shuffle reports. */
  public static final int TOP = 10;

  /** How many shuffles the end-of-run table shows. */
  public static final int TABLE_ROWS = 3;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final List<Shuffle> shuffles;

  private DataMovement(List<Shuffle> shuffles) {
    this.shuffles = shuffles;
  }

  /** No shuffle observed. */
  static DataMovement none() {
    return new DataMovement(List.of());
  }

  /**
   * Reads the shuffles' counters of a finished run (committed values where the runner has them,
   * else attempted ones).
   *
   * @param result the finished run
   * @return the shuffles, heaviest first; empty if the pipeline observed none
   */
  public static DataMovement of(PipelineResult result) {
    Map<String, Shuffle> byName = new TreeMap<>();
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      String namespace = counter.getName().getNamespace();
      String name = counter.getName().getName();
      long value = RunSummary.valueOf(counter);
      if (namespace.startsWith(ObserveShuffle.NAMESPACE_PREFIX)) {
        Shuffle shuffle =
            byName.computeIfAbsent(
                namespace.substring(ObserveShuffle.NAMESPACE_PREFIX.length()), Shuffle::new);
        shuffle.counts.merge(name, value, Long::sum);
      } else if (namespace.startsWith(HeavyKeys.NAMESPACE_PREFIX)) {
        String rest = namespace.substring(HeavyKeys.NAMESPACE_PREFIX.length());
        int bar = rest.lastIndexOf('|');
        Shuffle shuffle = byName.computeIfAbsent(rest.substring(0, bar), Shuffle::new);
        shuffle.keyName = rest.substring(bar + 1);
        shuffle.keys.merge(name, value, Long::sum);
      }
    }
    List<Shuffle> shuffles = new ArrayList<>(byName.values());
    shuffles.sort(
        Comparator.comparingLong((Shuffle s) -> s.count(ObserveShuffle.BYTES_IN, 0))
            .thenComparingLong(s -> s.count(ObserveShuffle.ELEMENTS_IN, 0))
            .reversed()
            .thenComparing(s -> s.name));
    return new DataMovement(shuffles);
  }

  /** The shuffles, heaviest first. */
  public List<Shuffle> shuffles() {
    return shuffles;
  }

  /** The report as a JSON array, one object per shuffle, as {@code summary.json} holds it. */
  ArrayNode toJson() {
    ArrayNode array = MAPPER.createArrayNode();
    for (Shuffle shuffle : shuffles) {
      ObjectNode node = array.addObject();
      node.put("shuffle", shuffle.name);
      for (String count :
          List.of(
              ObserveShuffle.ELEMENTS_IN,
              ObserveShuffle.BYTES_IN,
              ObserveShuffle.ELEMENTS_OUT,
              ObserveShuffle.BYTES_OUT)) {
        Long value = shuffle.counts.get(count);
        if (value != null) {
          node.put(count, value);
        }
      }
      if (shuffle.keyName != null) {
        node.put("keyed_by", shuffle.keyName);
        node.put(HeavyKeys.KEYED_ELEMENTS, shuffle.keyedElements());
        node.put("max_error", shuffle.count(HeavyKeys.MAX_ERROR, 0));
        ArrayNode keys = node.putArray("heaviest_keys");
        for (HeavyKey key : shuffle.heaviestKeys()) {
          keys.addObject()
              .put("key", key.key())
              .put("elements", key.elements())
              .put("share", Math.round(key.share() * 10_000) / 10_000.0);
        }
      }
    }
    return array;
  }

  /**
   * The {@value #TABLE_ROWS} heaviest shuffles as table lines, each with its heaviest key; empty
   * when there is none.
   */
  String toTable() {
    if (shuffles.isEmpty()) {
      return "";
    }
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "heaviest shuffles (%d of %d; all in summary.json)%n",
            Math.min(TABLE_ROWS, shuffles.size()),
            shuffles.size()));
    for (Shuffle shuffle : shuffles.subList(0, Math.min(TABLE_ROWS, shuffles.size()))) {
      table.append(String.format(Locale.ROOT, "  %s%n", shuffle.name));
      flow(table, "in ", shuffle, ObserveShuffle.ELEMENTS_IN, ObserveShuffle.BYTES_IN);
      flow(table, "out", shuffle, ObserveShuffle.ELEMENTS_OUT, ObserveShuffle.BYTES_OUT);
      List<HeavyKey> keys = shuffle.heaviestKeys();
      if (!keys.isEmpty()) {
        HeavyKey top = keys.get(0);
        table.append(
            String.format(
                Locale.ROOT,
                "    heaviest %s: %s, %,d%s of %,d (%.1f%%)%n",
                shuffle.keyName,
                top.key(),
                top.elements(),
                shuffle.count(HeavyKeys.MAX_ERROR, 0) == 0
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        " (at most %,d too many)",
                        shuffle.count(HeavyKeys.MAX_ERROR, 0)),
                shuffle.keyedElements(),
                top.share() * 100));
      }
    }
    return table.toString();
  }

  /** Appends one side of a shuffle: {@code " in N elements, B bytes"}. */
  private static void flow(
      StringBuilder table,
      String side,
      Shuffle shuffle,
      String elementsCounter,
      String bytesCounter) {
    table.append(
        String.format(
            Locale.ROOT,
            "    %s %s elements, %s%n",
            side,
            number(shuffle.counts.get(elementsCounter)),
            bytes(shuffle.counts.get(bytesCounter))));
  }

  private static String number(@Nullable Long value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%,d", value);
  }

  private static String bytes(@Nullable Long value) {
    if (value == null) {
      return "bytes not measured";
    }
    return value < 10_000_000
        ? String.format(Locale.ROOT, "%,d bytes", value)
        : String.format(Locale.ROOT, "%.1f MB", value / 1e6);
  }

  /** A key and its estimated elements; {@code share} of the shuffle's keyed elements, in [0, 1]. */
  public record HeavyKey(String key, long elements, double share) {}

  /** What one shuffle moved, by name ({@code RollUpPageViewFiles.GroupPartials}). */
  public static final class Shuffle {
    private final String name;
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, Long> keys = new TreeMap<>();
    private @Nullable String keyName;

    private Shuffle(String name) {
      this.name = name;
    }

    /** The shuffle's name. */
    public String name() {
      return name;
    }

    /** The count {@code name} ({@link ObserveShuffle#ELEMENTS_IN}, ...), or {@code absent}. */
    public long count(String name, long absent) {
      return counts.getOrDefault(name, absent);
    }

    /** What a key is ({@code customer}), or null when the shuffle counts no keys. */
    public @Nullable String keyName() {
      return keyName;
    }

    /** The elements counted by key. */
    public long keyedElements() {
      return counts.getOrDefault(HeavyKeys.KEYED_ELEMENTS, 0L);
    }

    /** The {@value DataMovement#TOP} heaviest keys, heaviest first (ties by key). */
    public List<HeavyKey> heaviestKeys() {
      long total = keyedElements();
      return keys.entrySet().stream()
          .sorted(
              Map.Entry.<String, Long>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .limit(TOP)
          .map(
              e ->
                  new HeavyKey(
                      e.getKey(), e.getValue(), total == 0 ? 0 : (double) e.getValue() / total))
          .toList();
    }
  }
}
