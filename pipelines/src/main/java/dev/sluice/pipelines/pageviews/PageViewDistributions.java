package dev.sluice.pipelines.pageviews;

import dev.sluice.pageviews.PageView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;

/**
 * The distributions of {@link GeneratePageViews}: where events fall ((hour, customer) partitions,
 * weighted) and what each event is, from a seeded random stream per partition.
 */
final class PageViewDistributions {

  private PageViewDistributions() {}

  /** Where events fall: weighted (hour, customer) partitions, and an event generator for each. */
  abstract static class Distribution {
    final DateTime firstHour;
    final String[] customers;
    final double[] hourWeights;
    final double[] customerWeights;

    Distribution(
        DateTime firstHour, String[] customers, double[] hourWeights, double[] customerWeights) {
      this.firstHour = firstHour;
      this.customers = customers;
      this.hourWeights = hourWeights;
      this.customerWeights = customerWeights;
    }

    int partitions() {
      return hourWeights.length * customers.length;
    }

    DateTime hourOf(int partition) {
      return firstHour.plusHours(partition / customers.length);
    }

    String customerOf(int partition) {
      return customers[partition % customers.length];
    }

    String partitionPath(int partition) {
      DateTime hour = hourOf(partition);
      return String.format(
          Locale.ROOT,
          "year=%04d/month=%02d/day=%02d/hour=%02d/customer=%s",
          hour.getYear(),
          hour.getMonthOfYear(),
          hour.getDayOfMonth(),
          hour.getHourOfDay(),
          customerOf(partition));
    }

    /** Splits {@code total} events across partitions by weight, with largest remainders. */
    long[] partitionCounts(long total) {
      int n = partitions();
      double[] weights = new double[n];
      double sum = 0;
      for (int p = 0; p < n; p++) {
        weights[p] = hourWeights[p / customers.length] * customerWeights[p % customers.length];
        sum += weights[p];
      }
      long[] counts = new long[n];
      double[] remainders = new double[n];
      long assigned = 0;
      for (int p = 0; p < n; p++) {
        double exact = total * weights[p] / sum;
        counts[p] = (long) Math.floor(exact);
        remainders[p] = exact - counts[p];
        assigned += counts[p];
      }
      Integer[] order = new Integer[n];
      for (int p = 0; p < n; p++) {
        order[p] = p;
      }
      Arrays.sort(
          order,
          (a, b) ->
              a.equals(b)
                  ? 0
                  : remainders[b] != remainders[a]
                      ? Double.compare(remainders[b], remainders[a])
                      : Integer.compare(a, b));
      for (int i = 0; assigned < total; i++, assigned++) {
        counts[order[i % n]]++;
      }
      return counts;
    }

    abstract PageView event(int partition, SplittableRandom random);
  }

  /** The Spark-vs-Dask talk's generator. */
  static final class SeedDistribution extends Distribution {
    private static final String[] REFERRERS = {
      "http://google.com/", "http://bing.com/", "http://facebook.com/"
    };
    private static final String[] SESSIONS = permutations("abcdefg", 3);
    private final int articles;

    SeedDistribution(long count) {
      super(
          new DateTime(2017, 9, 17, 0, 0, DateTimeZone.UTC),
          new String[] {"a.com"},
          uniform(24),
          uniform(1));
      this.articles = (int) Math.max(1, Math.ceil(Math.cbrt((double) count)));
    }

    @Override
    PageView event(int partition, SplittableRandom random) {
      long ts = hourOf(partition).getMillis() + random.nextInt(60) * 60_000L;
      return PageView.of(
          "a.com",
          "http://a.com/articles/" + (1 + random.nextInt(articles)),
          REFERRERS[random.nextInt(REFERRERS.length)],
          SESSIONS[random.nextInt(SESSIONS.length)],
          ts);
    }

    /** The k-permutations of the letters, in lexicographic order (Python's itertools order). */
    static String[] permutations(String letters, int k) {
      List<String> out = new ArrayList<>();
      permute(letters, k, "", out);
      return out.toArray(new String[0]);
    }

    private static void permute(String letters, int k, String prefix, List<String> out) {
      if (prefix.length() == k) {
        out.add(prefix);
        return;
      }
      for (char c : letters.toCharArray()) {
        if (prefix.indexOf(c) < 0) {
          permute(letters, k, prefix + c, out);
        }
      }
    }
  }

  /** Dozens of customers, Zipf urls and referrers, a million sessions, a week of daily cycles. */
  static final class RealisticDistribution extends Distribution {
    private static final int CUSTOMERS = 24;
    private static final int ARTICLES = 10_000;
    private static final int SESSIONS = 1_000_000;
    private static final double DIRECT_VISITS = 0.12;
    private static final String[] REFERRERS = referrers();
    private static final double[] ARTICLE_CDF = cdf(zipf(ARTICLES, 1.07));
    private static final double[] REFERRER_CDF = cdf(zipf(REFERRERS.length, 1.2));

    RealisticDistribution() {
      super(
          new DateTime(2017, 9, 11, 0, 0, DateTimeZone.UTC),
          customers(),
          weekOfDailyCycles(),
          zipf(CUSTOMERS, 1.1));
    }

    @Override
    PageView event(int partition, SplittableRandom random) {
      String customer = customerOf(partition);
      int article = 1 + sample(ARTICLE_CDF, random);
      String referrer =
          random.nextDouble() < DIRECT_VISITS ? null : REFERRERS[sample(REFERRER_CDF, random)];
      return PageView.of(
          customer,
          "https://" + customer + "/articles/" + article,
          referrer,
          String.format(Locale.ROOT, "s%06d", random.nextInt(SESSIONS)),
          hourOf(partition).getMillis() + random.nextInt(3_600_000));
    }

    private static String[] customers() {
      String[] names = new String[CUSTOMERS];
      for (int i = 0; i < CUSTOMERS; i++) {
        names[i] = String.format(Locale.ROOT, "site%02d.com", i + 1);
      }
      return names;
    }

    private static String[] referrers() {
      List<String> names =
          new ArrayList<>(
              List.of(
                  "https://www.google.com/",
                  "https://www.facebook.com/",
                  "https://t.co/",
                  "https://www.bing.com/",
                  "https://news.ycombinator.com/",
                  "https://www.reddit.com/",
                  "https://duckduckgo.com/",
                  "https://www.linkedin.com/",
                  "https://search.yahoo.com/",
                  "https://flipboard.com/"));
      for (int i = names.size() + 1; i <= 40; i++) {
        names.add(String.format(Locale.ROOT, "https://blog%02d.example.org/", i));
      }
      return names.toArray(new String[0]);
    }

    /** 168 hourly weights: busiest at 15:00 UTC, weekends at 80% and 75%. */
    private static double[] weekOfDailyCycles() {
      double[] weights = new double[7 * 24];
      for (int h = 0; h < weights.length; h++) {
        int day = h / 24;
        double dayFactor = day == 5 ? 0.8 : day == 6 ? 0.75 : 1.0;
        double cycle = 0.35 + 0.65 * (1 + Math.sin(2 * Math.PI * ((h % 24) - 9) / 24.0)) / 2;
        weights[h] = dayFactor * cycle;
      }
      return weights;
    }
  }

  static double[] uniform(int n) {
    double[] weights = new double[n];
    Arrays.fill(weights, 1.0);
    return weights;
  }

  /** Zipf weights 1/k^s for ranks 1..n. */
  static double[] zipf(int n, double s) {
    double[] weights = new double[n];
    for (int k = 1; k <= n; k++) {
      weights[k - 1] = 1.0 / Math.pow(k, s);
    }
    return weights;
  }

  static double[] cdf(double[] weights) {
    double[] cdf = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cdf[i] = sum;
    }
    for (int i = 0; i < cdf.length; i++) {
      cdf[i] /= sum;
    }
    return cdf;
  }

  /** An index drawn with the probabilities of a CDF. */
  static int sample(double[] cdf, SplittableRandom random) {
    int i = Arrays.binarySearch(cdf, random.nextDouble());
    return Math.min(i >= 0 ? i : -i - 1, cdf.length - 1);
  }
}
