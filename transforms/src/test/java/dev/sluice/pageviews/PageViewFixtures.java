package dev.sluice.pageviews;

import java.util.Map;
import java.util.TreeMap;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** Small page views and rollup records for the tests of this package. */
final class PageViewFixtures {
  static final String URL = "http://a.com/articles/1";
  static final Instant TEN = Instant.parse("2017-09-17T10:00:00.000Z");
  static final Instant ELEVEN = Instant.parse("2017-09-17T11:00:00.000Z");
  static final Duration HOUR = Duration.standardHours(1);

  private PageViewFixtures() {}

  static PageView view(String url, String referrer, String session, Instant at) {
    return PageView.of("a.com", url, referrer, session, at.getMillis());
  }

  static Map<String, Long> referrers(Object... referrerThenCount) {
    Map<String, Long> map = new TreeMap<>();
    for (int i = 0; i < referrerThenCount.length; i += 2) {
      map.put((String) referrerThenCount[i], ((Number) referrerThenCount[i + 1]).longValue());
    }
    return map;
  }

  static PageViewStats stats(
      String url, Instant start, Duration size, long views, long visitors, Map<String, Long> refs) {
    return PageViewStats.of("a.com", url, start, start.plus(size), views, visitors, refs);
  }
}
