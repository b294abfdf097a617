package dev.sluice.pageviews;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.SortedMapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Count;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The {@code CombineFn}s of the hourly page-view rollup, for users to apply to their own keys and
 * windows with {@code Combine.perKey}, {@code Combine.globally} or {@code CombineFns.compose()}:
 *
 * <ul>
 *   <li>{@link #pageViews()}: {@code page_views}, the number of inputs (Beam's {@code Count});
 *   <li>{@link #visitors()}: {@code visitors}, the exact number of distinct session ids;
 *   <li>{@link #approxVisitors(int)}: {@code visitors}, estimated with a HyperLogLog sketch of
 *       fixed size ({@link VisitorSketches}), and {@link #visitorSketch(int)}, that sketch itself;
 *   <li>{@link #referrers()}: {@code referrers}, a count per referrer, null referrers not counted.
 * </ul>
 *
 * <p>All three are associative and commutative, so runners combine them before the shuffle
 * (combiner lifting). Accumulators are updated in place when these functions made them, and copied
 * first when a runner hands back one its coder decoded (Beam decodes empty maps and sets as
 * read-only). Memory per key and window: {@code pageViews} one long; {@code visitors} one entry per
 * distinct session id (exact, unlike {@code ApproximateUnique}); {@code approxVisitors} and {@code
 * visitorSketch} at most about {@code 2^lgK} bytes, however many sessions; {@code referrers} one
 * entry per distinct referrer.
 *
 * <pre>{@code
 * PCollection<KV<String, Long>> visitors =
 *     sessionIdsByUrl.apply("CountVisitors", Combine.perKey(PageViewCombineFns.visitors()));
 * }</pre>
 */
public final class PageViewCombineFns {

  private PageViewCombineFns() {}

  /** {@code page_views}: counts the inputs of each key and window; nulls count too. */
  public static <T> CombineFn<T, ?, Long> pageViews() {
    return Count.combineFn();
  }

  /**
   * {@code visitors}: the exact number of distinct session ids. Input {@code String} session ids
   * (null is rejected with {@link NullPointerException}: route null session ids to the dead letter
   * first), output {@code Long}. The accumulator is the set of session ids seen.
   */
  public static CombineFn<String, ?, Long> visitors() {
    return new CountDistinctFn();
  }

  /**
   * {@code visitors}, approximate: the estimated number of distinct session ids, from a HyperLogLog
   * sketch with {@code 2^lgK} buckets (relative standard error {@link
   * VisitorSketches#relativeStandardError}, 1.6% at {@code lgK = 12}). Input {@code String} session
   * ids (null is rejected with {@link NullPointerException}), output {@code Long}, rounded. The
   * accumulator is a DataSketches {@code Union}, at most about {@code 2^lgK} bytes.
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [4, 21]
   */
  public static CombineFn<String, ?, Long> approxVisitors(int lgK) {
    return new ApproxCountDistinctFn(VisitorSketches.checkLgK(lgK));
  }

  /**
   * The HyperLogLog sketch of the distinct session ids: like {@link #approxVisitors} but its output
   * is the compact {@code HLL_4} sketch ({@code byte[]}), which sketches of other groups or windows
   * merge with ({@link MergePageViewStats}) and {@link VisitorSketches#estimate} reads. The bytes
   * depend on the order of the input (as every DataSketches HLL sketch's do), so two runs that
   * combine in another order can write different bytes for the same sessions.
   *
   * @throws IllegalArgumentException unless {@code lgK} is in [4, 21]
   */
  public static CombineFn<String, ?, byte[]> visitorSketch(int lgK) {
    return new SketchDistinctFn(VisitorSketches.checkLgK(lgK));
  }

  /**
   * {@code referrers}: how many inputs came from each referrer. Input nullable {@code String}
   * referrers (give the input a {@code NullableCoder}); null referrers are not counted, so a group
   * with only null referrers gives an empty map. Output a {@code SortedMap<String, Long>} ordered
   * by referrer, with the deterministic {@code SortedMapCoder}.
   */
  public static CombineFn<@Nullable String, ?, SortedMap<String, Long>> referrers() {
    return new CountPerReferrerFn();
  }

  /** Distinct strings in a DataSketches union; subclasses say what the output is. */
  abstract static class UnionDistinctFn<OutputT> extends CombineFn<String, Union, OutputT> {
    private final int lgK;

    UnionDistinctFn(int lgK) {
      this.lgK = lgK;
    }

    @Override
    public Union createAccumulator() {
      return VisitorSketches.newUnion(lgK);
    }

    @Override
    public Union addInput(Union accumulator, String input) {
      if (input == null) {
        throw new NullPointerException("session id must not be null");
      }
      VisitorSketches.add(accumulator, input);
      return accumulator;
    }

    @Override
    public Union mergeAccumulators(Iterable<Union> accumulators) {
      Union merged = null;
      for (Union accumulator : accumulators) {
        if (merged == null) {
          merged = accumulator;
        } else {
          merged.update(accumulator.getResult(TgtHllType.HLL_8));
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public Coder<Union> getAccumulatorCoder(CoderRegistry registry, Coder<String> input) {
      return VisitorSketches.unionCoder();
    }
  }

  /** Estimated distinct count of strings. */
  static final class ApproxCountDistinctFn extends UnionDistinctFn<Long> {
    ApproxCountDistinctFn(int lgK) {
      super(lgK);
    }

    @Override
    public Long extractOutput(Union accumulator) {
      return VisitorSketches.estimate(accumulator);
    }

    @Override
    public Coder<Long> getDefaultOutputCoder(CoderRegistry registry, Coder<String> input) {
      return VarLongCoder.of();
    }
  }

  /** The compact sketch of the distinct strings. */
  static final class SketchDistinctFn extends UnionDistinctFn<byte[]> {
    SketchDistinctFn(int lgK) {
      super(lgK);
    }

    @Override
    public byte[] extractOutput(Union accumulator) {
      return VisitorSketches.toBytes(accumulator);
    }

    @Override
    public Coder<byte[]> getDefaultOutputCoder(CoderRegistry registry, Coder<String> input) {
      return ByteArrayCoder.of();
    }
  }

  /** Exact distinct count of strings, with a set accumulator. */
  static final class CountDistinctFn extends CombineFn<String, Set<String>, Long> {
    @Override
    public Set<String> createAccumulator() {
      return new HashSet<>();
    }

    @Override
    public Set<String> addInput(Set<String> accumulator, String input) {
      if (input == null) {
        throw new NullPointerException("visitors() needs non-null session ids");
      }
      Set<String> sessions = mutable(accumulator);
      sessions.add(input);
      return sessions;
    }

    /** The accumulator itself when this fn made it; a copy when a coder decoded it read-only. */
    private static Set<String> mutable(Set<String> accumulator) {
      return accumulator instanceof HashSet ? accumulator : new HashSet<>(accumulator);
    }

    @Override
    public Set<String> mergeAccumulators(Iterable<Set<String>> accumulators) {
      Set<String> merged = null;
      for (Set<String> accumulator : accumulators) {
        // Only the first accumulator is modified: callers may pass accumulators they do not own
        // after it (RollUpPageViews merges partial maps that are input elements).
        if (merged == null) {
          merged = mutable(accumulator);
        } else {
          merged.addAll(accumulator);
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public Long extractOutput(Set<String> accumulator) {
      return (long) accumulator.size();
    }

    @Override
    public Coder<Set<String>> getAccumulatorCoder(CoderRegistry registry, Coder<String> input) {
      return SetCoder.of(StringUtf8Coder.of());
    }

    @Override
    public Coder<Long> getDefaultOutputCoder(CoderRegistry registry, Coder<String> input) {
      return VarLongCoder.of();
    }
  }

  /** Count per non-null string, in a sorted map. */
  static final class CountPerReferrerFn
      extends CombineFn<@Nullable String, SortedMap<String, Long>, SortedMap<String, Long>> {
    @Override
    public SortedMap<String, Long> createAccumulator() {
      return new TreeMap<>();
    }

    @Override
    public SortedMap<String, Long> addInput(
        SortedMap<String, Long> accumulator, @Nullable String referrer) {
      SortedMap<String, Long> counts = mutable(accumulator);
      if (referrer != null) {
        counts.merge(referrer, 1L, Long::sum);
      }
      return counts;
    }

    /** The accumulator itself when this fn made it; a copy when a coder decoded it read-only. */
    private static SortedMap<String, Long> mutable(SortedMap<String, Long> accumulator) {
      return accumulator instanceof TreeMap ? accumulator : new TreeMap<>(accumulator);
    }

    @Override
    public SortedMap<String, Long> mergeAccumulators(
        Iterable<SortedMap<String, Long>> accumulators) {
      SortedMap<String, Long> merged = null;
      for (SortedMap<String, Long> accumulator : accumulators) {
        if (merged == null) {
          merged = mutable(accumulator);
        } else {
          for (Map.Entry<String, Long> entry : accumulator.entrySet()) {
            merged.merge(entry.getKey(), entry.getValue(), Long::sum);
          }
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public SortedMap<String, Long> extractOutput(SortedMap<String, Long> accumulator) {
      return accumulator;
    }

    @Override
    public Coder<SortedMap<String, Long>> getAccumulatorCoder(
        CoderRegistry registry, Coder<@Nullable String> input) {
      return SortedMapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    @Override
    public Coder<SortedMap<String, Long>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<@Nullable String> input) throws CannotProvideCoderException {
      return SortedMapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }
  }
}
