package dev.sluice.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo.Timing;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class FormatAsElasticsearchJsonTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Instant TEN = Instant.parse("2017-09-17T10:00:00.000Z");

  private static PageViewStats stats(Map<String, Long> referrers) {
    return PageViewStats.of(
        "a.com",
        "http://a.com/articles/1",
        TEN,
        TEN.plus(Duration.standardHours(1)),
        3,
        2,
        referrers);
  }

  @Test
  public void writesTheFieldsInOrderWithSortedReferrers() {
    Map<String, Long> referrers = new TreeMap<>(java.util.Comparator.reverseOrder());
    referrers.put("http://bing.com/", 1L);
    referrers.put("http://google.com/", 2L);
    assertEquals(
        "{\"_id\": \"http://a.com/articles/1|a.com|2017-09-17T10:00:00\", \"_index\": \"events\", "
            + "\"customer\": \"a.com\", \"url\": \"http://a.com/articles/1\", \"freq\": \"1hour\", "
            + "\"ts\": \"2017-09-17T10:00:00\", \"metrics\": {\"page_views\": 3, \"visitors\": 2}, "
            + "\"referrers\": {\"http://bing.com/\": 1, \"http://google.com/\": 2}}",
        FormatAsElasticsearchJson.format(stats(referrers), "events"));
  }

  @Test
  public void emptyReferrersAndCustomIndexAndNonAscii() {
    PageViewStats stats =
        PageViewStats.of(
            "b.com", "http://b.com/é", TEN, TEN.plus(Duration.standardMinutes(15)), 1, 1, Map.of());
    assertEquals(
        "{\"_id\": \"http://b.com/\\u00E9|b.com|2017-09-17T10:00:00\", \"_index\": \"pv\", "
            + "\"customer\": \"b.com\", \"url\": \"http://b.com/\\u00E9\", \"freq\": \"15min\", "
            + "\"ts\": \"2017-09-17T10:00:00\", \"metrics\": {\"page_views\": 1, \"visitors\": 1}, "
            + "\"referrers\": {}}",
        FormatAsElasticsearchJson.format(stats, "pv"));
  }

  @Test
  public void namesWindowSizes() {
    assertEquals("15min", FormatAsElasticsearchJson.freq(Duration.standardMinutes(15)));
    assertEquals("1hour", FormatAsElasticsearchJson.freq(Duration.standardHours(1)));
    assertEquals("6hour", FormatAsElasticsearchJson.freq(Duration.standardHours(6)));
    assertEquals("1day", FormatAsElasticsearchJson.freq(Duration.standardDays(1)));
    assertEquals("30s", FormatAsElasticsearchJson.freq(Duration.standardSeconds(30)));
  }

  @Test
  public void transformFormatsEveryRecord() {
    PCollection<String> lines =
        p.apply(Create.of(stats(Map.of("g", 3L))))
            .apply(FormatAsElasticsearchJson.create().withIndex("web"));
    PAssert.that(lines)
        .containsInAnyOrder(FormatAsElasticsearchJson.format(stats(Map.of("g", 3L)), "web"));
    p.run().waitUntilFinish();
    assertThrows(
        IllegalArgumentException.class, () -> FormatAsElasticsearchJson.create().withIndex(" "));
  }

  @Test
  public void aPaneComesLastAndTheIdIsReadBackFromALine() {
    String line =
        FormatAsElasticsearchJson.format(
            stats(Map.of("g", 3L)), "web", PaneInfo.createPane(false, false, Timing.LATE, 2, 1));
    assertTrue(line, line.endsWith(", \"pane\": {\"timing\": \"LATE\", \"index\": 2}}"));
    assertEquals(
        FormatAsElasticsearchJson.format(stats(Map.of("g", 3L)), "web"),
        line.substring(0, line.indexOf(", \"pane\"")) + "}");
    assertEquals(
        stats(Map.of()).getUrl() + "|" + stats(Map.of()).getCustomer() + "|2017-09-17T10:00:00",
        FormatAsElasticsearchJson.idOf(line));
    assertThrows(
        IllegalArgumentException.class, () -> FormatAsElasticsearchJson.idOf("{\"a\": 1}"));
    assertThrows(IllegalArgumentException.class, () -> FormatAsElasticsearchJson.idOf("no"));
  }
}
