package dev.sluice.pageviews;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * HyperLogLog sketches of the visitors (distinct session ids) of a rollup record: what {@code
 * --visitors=approx} counts with, and what Parquet rollups keep so that {@link MergePageViewStats}
 * can merge them into coarser windows.
 *
 * <p>A sketch is Apache DataSketches' {@code HllSketch} of type {@code HLL_4} with {@code 2^lgK}
 * buckets, serialized compact ({@code toCompactByteArray}): up to about {@code 2^(lgK-1)} bytes
 * (2,088 bytes at the default {@value #DEFAULT_LG_K}), and a few bytes per distinct session while a
 * group has few (the sketch keeps a list of hashes until it is cheaper to switch to buckets, and is
 * then exact but for hash collisions). Each session id is hashed as its UTF-8 bytes ({@code
 * HllSketch.update(String)}), as Spark 3.5's {@code hll_sketch_agg} does, so its sketches of the
 * same ids merge with these (Druid's {@code HLLSketch} too, with {@code stringEncoding: utf8}; its
 * default hashes UTF-16). An empty session id is not counted by a sketch (the library ignores empty
 * input) while the exact count counts it; the generators never write one.
 *
 * <p>Error: the estimate's relative standard error is about {@code 1.04 / sqrt(2^lgK)} ({@link
 * #relativeStandardError}): 1.6% at {@code lgK = 12}; 99.7% of estimates lie within 3 standard
 * errors. The sketch's own bounds ({@code getLowerBound(3)}, {@code getUpperBound(3)}) are tighter.
 * Sources: Flajolet et al., "HyperLogLog: the analysis of a near-optimal cardinality estimation
 * algorithm" (2007); DataSketches' HLL documentation (datasketches.apache.org).
 */
public final class VisitorSketches {

  /** Default {@code lgK}: 4,096 buckets, about 1.6% standard error. */
  public static final int DEFAULT_LG_K = 12;

  /** The smallest {@code lgK} DataSketches accepts. */
  public static final int MIN_LG_K = 4;

  /** The largest {@code lgK} DataSketches accepts. */
  public static final int MAX_LG_K = 21;

  /** The DataSketches family id of HLL sketches, byte 2 of their preamble. */
  private static final byte HLL_FAMILY = 7;

  private VisitorSketches() {}

  /**
   * Returns {@code lgK} when DataSketches accepts it.
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [{@value #MIN_LG_K}, {@value
   *     #MAX_LG_K}]
   */
  public static int checkLgK(int lgK) {
    if (lgK < MIN_LG_K || lgK > MAX_LG_K) {
      throw new IllegalArgumentException(
          "lgK must be in [" + MIN_LG_K + ", " + MAX_LG_K + "], got " + lgK);
    }
    return lgK;
  }

  /** The relative standard error of an estimate with {@code 2^lgK} buckets: 1.04 / sqrt(2^lgK). */
  public static double relativeStandardError(int lgK) {
    return 1.04 / Math.sqrt(1 << checkLgK(lgK));
  }

  /** A new, empty union of sketches with up to {@code 2^lgK} buckets. */
  static Union newUnion(int lgK) {
    return new Union(checkLgK(lgK));
  }

  /** Adds one session id, as its UTF-8 bytes. */
  static void add(Union union, String sessionId) {
    union.update(sessionId);
  }

  /** Adds one session id given as UTF-8 bytes; the same hash as {@link #add(Union, String)}. */
  static void addUtf8(Union union, byte[] sessionId) {
    union.update(sessionId);
  }

  /** The compact {@code HLL_4} bytes of a union. */
  static byte[] toBytes(Union union) {
    return union.getResult(TgtHllType.HLL_4).toCompactByteArray();
  }

  /**
   * The sketch that {@code bytes} serialize, or null when they are not a DataSketches HLL sketch.
   */
  public static @Nullable HllSketch parse(byte @Nullable [] bytes) {
    // The preamble: serialization version 1 and family 7 (HLL), then the sketch's own checks.
    if (bytes == null || bytes.length < 8 || bytes[1] != 1 || bytes[2] != HLL_FAMILY) {
      return null;
    }
    try {
      return HllSketch.heapify(bytes);
    } catch (RuntimeException | AssertionError e) {
      // DataSketches reports some truncated sketches through assertions (when enabled).
      return null;
    }
  }

  /**
   * The estimated number of distinct session ids of a sketch, rounded to the nearest whole number.
   *
   * @throws IllegalArgumentException if {@code bytes} are not an HLL sketch
   */
  public static long estimate(byte[] bytes) {
    HllSketch sketch = parse(bytes);
    if (sketch == null) {
      throw new IllegalArgumentException("not a DataSketches HLL sketch");
    }
    return Math.round(sketch.getEstimate());
  }

  /** The estimate of a union, rounded to the nearest whole number. */
  static long estimate(Union union) {
    return Math.round(union.getEstimate());
  }

  /** The compact sketch of {@code sessionIds}, for tests and tools. */
  public static byte[] of(int lgK, Iterable<String> sessionIds) {
    Union union = newUnion(lgK);
    for (String id : sessionIds) {
      add(union, id);
    }
    return toBytes(union);
  }

  /** A coder of unions, as their compact serialization behind a length. */
  static Coder<Union> unionCoder() {
    return UnionCoder.INSTANCE;
  }

  private static final class UnionCoder extends AtomicCoder<Union> {
    static final UnionCoder INSTANCE = new UnionCoder();
    private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

    @Override
    public void encode(Union union, OutputStream out) throws IOException {
      BYTES.encode(union.toCompactByteArray(), out);
    }

    @Override
    public Union decode(InputStream in) throws IOException {
      byte[] bytes = BYTES.decode(in);
      try {
        return Union.heapify(bytes);
      } catch (RuntimeException | AssertionError e) {
        throw new CoderException("not a DataSketches HLL union", e);
      }
    }
  }
}
