package dev.sluice.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.Texts;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;

/**
 * Properties of {@link FormatAsElasticsearchJson#format}, for rollups with any text (quotes,
 * backslashes, control characters, line separators, surrogate pairs and unpaired surrogates), any
 * counts, windows of any whole number of seconds starting in years 1 to 9999, any referrers (none
 * among them), any {@code _index}, and with or without a pane.
 *
 * <ul>
 *   <li>The line is one line of ASCII (no raw line break or control character: non-ASCII and
 *       control characters are escaped). Jackson reads it back as one object with the keys {@code
 *       _id}, {@code _index}, {@code customer}, {@code url}, {@code freq}, {@code ts}, {@code
 *       metrics} ({@code page_views}, {@code visitors}), {@code referrers} (sorted) and, with a
 *       pane, {@code pane} ({@code timing}, {@code index}) in that order, holding exactly the
 *       rollup's values: {@code ts} the window start in UTC to the second, {@code _id} its url,
 *       customer and ts joined by {@code |}, and {@code freq} the size in its largest whole unit.
 *       {@link FormatAsElasticsearchJson#idOf} gives the {@code _id} back.
 *   <li>The line is, byte for byte, what Python's {@code json.dumps} writes for the same object
 *       (default separators and {@code ensure_ascii}), for text of printable ASCII, the five short
 *       escapes and those characters whose {@code \\uXXXX} escape has no hex letter. Beyond that
 *       the bytes differ, see {@link #pythonDomain}.
 * </ul>
 */
class FormatAsElasticsearchJsonPropertyTest {

  private static final ObjectMapper TREE =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final List<String> KEYS =
      List.of("_id", "_index", "customer", "url", "freq", "ts", "metrics", "referrers");

  @Property(tries = 1000)
  void eachRecordIsOneAsciiLineThatReadsBackAsItsValuesInOrder(
      @ForAll("rollups") PageViewStats stats,
      @ForAll("texts") String index,
      @ForAll("panes") PaneInfo pane)
      throws Exception {
    String line = FormatAsElasticsearchJson.format(stats, index, pane);
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      assertTrue("raw character " + (int) c + " in " + line, c >= 0x20 && c < 0x80);
    }
    JsonNode json = TREE.readTree(line);
    List<String> keys = new ArrayList<>(KEYS);
    if (pane != null) {
      keys.add("pane");
    }
    assertEquals(line, keys, keys(json));
    String ts = windowStart(stats);
    String id = stats.getUrl() + "|" + stats.getCustomer() + "|" + ts;
    assertEquals(line, id, json.get("_id").textValue());
    assertEquals(line, index, json.get("_index").textValue());
    assertEquals(line, stats.getCustomer(), json.get("customer").textValue());
    assertEquals(line, stats.getUrl(), json.get("url").textValue());
    assertEquals(line, freq(stats), json.get("freq").textValue());
    assertEquals(line, ts, json.get("ts").textValue());

    JsonNode metrics = json.get("metrics");
    assertEquals(line, List.of("page_views", "visitors"), keys(metrics));
    assertTrue(line, metrics.get("page_views").canConvertToLong());
    assertEquals(line, stats.getPageViews(), metrics.get("page_views").longValue());
    assertTrue(line, metrics.get("visitors").canConvertToLong());
    assertEquals(line, stats.getVisitors(), metrics.get("visitors").longValue());

    JsonNode referrers = json.get("referrers");
    TreeMap<String, Long> sorted = new TreeMap<>(stats.getReferrers());
    assertEquals(line, new ArrayList<>(sorted.keySet()), keys(referrers));
    for (Map.Entry<String, Long> referrer : sorted.entrySet()) {
      JsonNode count = referrers.get(referrer.getKey());
      assertTrue(line, count.canConvertToLong());
      assertEquals(line, (long) referrer.getValue(), count.longValue());
    }

    if (pane != null) {
      JsonNode written = json.get("pane");
      assertEquals(line, List.of("timing", "index"), keys(written));
      assertEquals(line, pane.getTiming().name(), written.get("timing").textValue());
      assertEquals(line, pane.getIndex(), written.get("index").longValue());
    } else {
      assertEquals(line, FormatAsElasticsearchJson.format(stats, index));
    }
    assertEquals(line, id, FormatAsElasticsearchJson.idOf(line));
  }

  @Property(tries = 500)
  void isWhatPythonsJsonDumpsWrites(
      @ForAll("pythonRollups") PageViewStats stats,
      @ForAll("pythonTexts") String index,
      @ForAll("panes") PaneInfo pane) {
    String ts = windowStart(stats);
    StringBuilder python = new StringBuilder("{");
    python.append("\"_id\": ").append(dumps(stats.getUrl() + "|" + stats.getCustomer() + "|" + ts));
    python.append(", \"_index\": ").append(dumps(index));
    python.append(", \"customer\": ").append(dumps(stats.getCustomer()));
    python.append(", \"url\": ").append(dumps(stats.getUrl()));
    python.append(", \"freq\": ").append(dumps(freq(stats)));
    python.append(", \"ts\": ").append(dumps(ts));
    python.append(", \"metrics\": {\"page_views\": ").append(stats.getPageViews());
    python.append(", \"visitors\": ").append(stats.getVisitors()).append("}");
    python.append(", \"referrers\": ");
    python.append(
        new TreeMap<>(stats.getReferrers())
            .entrySet().stream()
                .map(referrer -> dumps(referrer.getKey()) + ": " + referrer.getValue())
                .collect(Collectors.joining(", ", "{", "}")));
    if (pane != null) {
      python.append(", \"pane\": {\"timing\": ").append(dumps(pane.getTiming().name()));
      python.append(", \"index\": ").append(pane.getIndex()).append("}");
    }
    python.append("}");
    assertEquals(python.toString(), FormatAsElasticsearchJson.format(stats, index, pane));
  }

  /** Python's {@code json.dumps} of a string with {@code ensure_ascii} (its default). */
  private static String dumps(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        default:
          if (c >= 0x20 && c <= 0x7e) {
            out.append(c);
          } else {
            out.append(String.format("\\u%04x", (int) c));
          }
      }
    }
    return out.append('"').toString();
  }

  /** The window start as yyyy-MM-dd'T'HH:mm:ss in UTC, computed without the class's formatter. */
  private static String windowStart(PageViewStats stats) {
    LocalDateTime start =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(stats.getWindowStart().getMillis(), 1000L), 0, ZoneOffset.UTC);
    return String.format(
        "%04d-%02d-%02dT%02d:%02d:%02d",
        start.getYear(),
        start.getMonthValue(),
        start.getDayOfMonth(),
        start.getHour(),
        start.getMinute(),
        start.getSecond());
  }

  /** The window size in its largest unit that divides it. */
  private static String freq(PageViewStats stats) {
    long seconds = (stats.getWindowEnd().getMillis() - stats.getWindowStart().getMillis()) / 1000;
    if (seconds % 604_800 == 0) {
      return seconds / 604_800 + "week";
    } else if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "day";
    } else if (seconds % 3600 == 0) {
      return seconds / 3600 + "hour";
    } else if (seconds % 60 == 0) {
      return seconds / 60 + "min";
    }
    return seconds + "s";
  }

  private static List<String> keys(JsonNode json) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      keys.add(names.next());
    }
    return keys;
  }

  @Provide
  Arbitrary<String> texts() {
    return Texts.any();
  }

  @Provide
  Arbitrary<PageViewStats> rollups() {
    return rollups(Texts.any());
  }

  /**
   * Text on which the line is Python's byte for byte. Outside it the bytes differ, though they
   * parse to the same values: Jackson 2.15 writes a {@code \\uXXXX} escape with upper-case hex
   * ({@code \\u00E9}, where Python writes {@code \\u00e9}), and writes DEL (U+007F) raw, where
   * Python escapes it; {@code referrers} are sorted by UTF-16 code unit, Python by code point,
   * which differ when keys mix U+E000..U+FFFF with characters beyond the BMP.
   */
  @Provide
  Arbitrary<String> pythonTexts() {
    return pythonDomain();
  }

  @Provide
  Arbitrary<PageViewStats> pythonRollups() {
    return rollups(pythonDomain());
  }

  private static Arbitrary<String> pythonDomain() {
    return Arbitraries.oneOf(
            Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8),
            Arbitraries.of(
                "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\u0000", "\u0019", "\u0100", "\u2020",
                "\u3000", "\u5000"))
        .list()
        .ofMaxSize(5)
        .map(pieces -> String.join("", pieces));
  }

  private static Arbitrary<PageViewStats> rollups(Arbitrary<String> text) {
    Arbitrary<Long> starts =
        Arbitraries.longs().between(-62_135_596_800_000L, 253_370_764_799_999L);
    Arbitrary<Long> sizes =
        Arbitraries.oneOf(
            Arbitraries.of(1L, 30L, 60L, 900L, 3600L, 21_600L, 86_400L, 604_800L),
            Arbitraries.longs().between(1, 366 * 86_400L));
    Arbitrary<Map<String, Long>> referrers =
        Arbitraries.maps(text, Arbitraries.longs()).ofMaxSize(5);
    return Combinators.combine(
            text, text, starts, sizes, Arbitraries.longs(), Arbitraries.longs(), referrers)
        .as(
            (customer, url, start, size, pageViews, visitors, refs) ->
                PageViewStats.of(
                    customer,
                    url,
                    new Instant(start),
                    new Instant(start + size * 1000),
                    pageViews,
                    visitors,
                    refs));
  }

  @Provide
  Arbitrary<PaneInfo> panes() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.of(PaneInfo.Timing.values()),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            Arbitraries.longs().between(-1, Long.MAX_VALUE))
        .as(PaneInfo::createPane)
        .injectNull(0.3);
  }
}
