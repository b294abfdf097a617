package dev.sluice.pipelines.pageviews;

import dev.sluice.io.FileFormat;
import dev.sluice.io.WriteHivePartitioned;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pageviews.PageViewJsonWriter;
import dev.sluice.pageviews.PageViewParquetWriter;
import dev.sluice.pageviews.PageViewWriter;
import dev.sluice.pipelines.options.PipelineArgs;
import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes a Hive-partitioned tree of page views for tests and benchmarks: {@code
 * OUT/year=YYYY/month=MM/day=DD/hour=HH/customer=C/part-NNNNN.parquet} (gzip by default; or JSON
 * lines, plain or gzip, named for their {@code --fileFormat}: {@code part-NNNNN.json}), at most
 * {@code --rowsPerFile} rows per file (2,000,000 by default). The output is a function of {@code
 * --count}, {@code --dist} and {@code --seed} only: the same arguments give the same files.
 *
 * <p>Distributions:
 *
 * <ul>
 *   <li>{@code seed}: that of the generator of the "Spark vs Dask" talk the rollup comes from: one
 *       customer {@code a.com}; urls {@code http://a.com/articles/K}, K uniform in 1 to
 *       ceil(N^(1/3)); referrers {@code http://google.com/}, {@code http://bing.com/} and {@code
 *       http://facebook.com/}, uniform; session ids drawn from the 210 three-letter permutations of
 *       {@code abcdefg}; all on 2017-09-17, hour and minute uniform (seconds 0).
 *   <li>{@code realistic}: 24 customers with Zipf-distributed traffic, 10,000 articles per customer
 *       with Zipf-distributed popularity, 40 referrers Zipf-distributed plus 12% direct visits
 *       (null referrer), session ids from a million, over the week 2017-09-11 to 2017-09-18 with a
 *       daily cycle (busiest at 15:00 UTC, quieter weekends), milliseconds uniform in the hour.
 * </ul>
 *
 * <p>Events are split across (hour, customer) partitions in proportion to their weights by largest
 * remainder, then each partition is generated from its own seeded random stream, so the files are
 * written one at a time with constant memory.
 */
public final class GeneratePageViews {

  private GeneratePageViews() {}

  /** Options of {@code generate-pageviews}. */
  public interface Options extends S3StoreOptions {
    @Description("Number of page views to write.")
    @Validation.Required
    Long getCount();

    void setCount(Long count);

    @Description("Distribution: seed (the Spark-vs-Dask talk's generator) or realistic.")
    @Default.String("realistic")
    String getDist();

    void setDist(String dist);

    @Description("Root of the tree to write (local path or URI); existing files are replaced.")
    @Validation.Required
    String getOut();

    void setOut(String out);

    @Description("Random seed; the same seed, count and distribution give the same files.")
    @Default.Long(42)
    long getSeed();

    void setSeed(long seed);

    @Description("Most rows in one file.")
    @Default.Long(2_000_000)
    long getRowsPerFile();

    void setRowsPerFile(long rowsPerFile);

    @Description(
        "File format: parquet (the default), json (JSON lines) or json.gz (JSON lines, gzip).")
    @Default.String("parquet")
    String getFileFormat();

    void setFileFormat(String format);

    @Description("Parquet compression: gzip, snappy, zstd or none.")
    @Default.String("gzip")
    String getCodec();

    void setCodec(String codec);
  }

  /**
   * Parses options and checks them.
   *
   * @throws IllegalArgumentException with a one-line message for a bad option
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    if (options.getCount() < 0) {
      throw new IllegalArgumentException("--count must be >= 0, got " + options.getCount());
    }
    if (options.getRowsPerFile() < 1) {
      throw new IllegalArgumentException("--rowsPerFile must be >= 1");
    }
    distribution(options);
    FileFormat.parse(options.getFileFormat());
    codec(options.getCodec());
    S3Store.prepare(options, options.getOut());
    return options;
  }

  /**
   * Writes the tree and prints what it wrote.
   *
   * @return the number of files written
   * @throws IOException if a file cannot be written
   */
  public static int run(Options options) throws IOException {
    long start = System.currentTimeMillis();
    PageViewDistributions.Distribution dist = distribution(options);
    CompressionCodecName codec = codec(options.getCodec());
    FileFormat format = FileFormat.parse(options.getFileFormat());
    String root = options.getOut().replaceAll("/+$", "");
    long[] counts = dist.partitionCounts(options.getCount());
    int files = 0;
    for (int p = 0; p < counts.length; p++) {
      if (counts[p] == 0) {
        continue;
      }
      SplittableRandom random = new SplittableRandom(options.getSeed() * 1_000_003L + p);
      String dir = root + "/" + dist.partitionPath(p);
      long remaining = counts[p];
      for (int part = 0; remaining > 0; part++) {
        long rows = Math.min(remaining, options.getRowsPerFile());
        String file = String.format(Locale.ROOT, "%s/part-%05d%s", dir, part, format.suffix());
        try (PageViewWriter writer = open(file, format, codec)) {
          for (long i = 0; i < rows; i++) {
            writer.write(dist.event(p, random));
          }
        }
        files++;
        remaining -= rows;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "generate-pageviews: %,d %s page views in %,d files under %s (%.1f s)%n",
        options.getCount(),
        options.getDist(),
        files,
        root,
        (System.currentTimeMillis() - start) / 1000.0);
    return files;
  }

  private static PageViewWriter open(String file, FileFormat format, CompressionCodecName codec)
      throws IOException {
    return format == FileFormat.PARQUET
        ? PageViewParquetWriter.open(file, codec, PageViewParquetWriter.TimestampEncoding.MILLIS)
        : PageViewJsonWriter.open(file, format);
  }

  private static CompressionCodecName codec(String name) {
    return WriteHivePartitioned.codec(name);
  }

  private static PageViewDistributions.Distribution distribution(Options options) {
    switch (options.getDist().toLowerCase(Locale.ROOT)) {
      case "seed":
        return new PageViewDistributions.SeedDistribution(options.getCount());
      case "realistic":
        return new PageViewDistributions.RealisticDistribution();
      default:
        throw new IllegalArgumentException(
            "unknown distribution '" + options.getDist() + "': expected seed or realistic");
    }
  }
}
