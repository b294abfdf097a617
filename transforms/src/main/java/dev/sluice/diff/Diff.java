package dev.sluice.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.auto.value.AutoValue;
import dev.sluice.io.RecordDecoder;
import dev.sluice.movement.ObserveShuffle;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The multiset difference of two collections of records: a {@code PCollectionList} of exactly two
 * {@code PCollection<String>} (left, right) in, a {@link Result} out with {@code onlyLeft()} and
 * {@code onlyRight()}, each a {@code PCollection<KV<String, Long>>} of (record, how many more times
 * it is on that side).
 *
 * <p>Order-insensitive and duplicate-aware: a record twice on the left and once on the right gives
 * ({@code record}, 1) in {@code onlyLeft}. Records are compared as strings; compare JSON as JSON by
 * passing {@link #canonicalJson(String)} of each record (key order and whitespace aside). Counters
 * in this class's namespace: {@value #LEFT_RECORDS}, {@value #RIGHT_RECORDS}, {@value #ONLY_LEFT},
 * {@value #ONLY_RIGHT} (records, with multiplicity).
 *
 * <p>Records are keyed by one of {@link #withBuckets buckets} of their hash, and one lifted {@code
 * CombineFn} per bucket counts each record per side, so the shuffle carries partial counts and has
 * few keys; memory per bucket is its distinct records. Outputs are in the global window.
 *
 * <pre>{@code
 * Diff.Result diff = PCollectionList.of(before).and(after).apply("DiffOutputs", Diff.create());
 * }</pre>
 */
@AutoValue
public abstract class Diff extends PTransform<PCollectionList<String>, Diff.Result> {

  /** Counter of left records. */
  public static final String LEFT_RECORDS = "left_records";

  /** Counter of right records. */
  public static final String RIGHT_RECORDS = "right_records";

  /** Counter of records only in the left (with multiplicity). */
  public static final String ONLY_LEFT = "only_left";

  /** Counter of records only in the right (with multiplicity). */
  public static final String ONLY_RIGHT = "only_right";

  private static final TupleTag<KV<String, Long>> ONLY_LEFT_TAG = new TupleTag<>() {};
  private static final TupleTag<KV<String, Long>> ONLY_RIGHT_TAG = new TupleTag<>() {};
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** Hash buckets of records: the keys of the shuffle. */
  public static final int DEFAULT_BUCKETS = 256;

  /** Hash buckets of records: the keys of the shuffle. */
  public abstract int buckets();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setBuckets(int buckets);

    abstract Diff build();
  }

  /** Creates the transform, with {@value #DEFAULT_BUCKETS} buckets. */
  public static Diff create() {
    return new AutoValue_Diff.Builder().setBuckets(DEFAULT_BUCKETS).build();
  }

  /**
   * The decoder that reads the records of a file of any {@code FileFormat} as {@link
   * #canonicalJson} text, for {@code ReadRecords}: JSON lines as they are (canonicalised), Parquet
   * records with every column, nested ones included ({@link #canonicalJson(Row)}).
   */
  public static RecordDecoder<String> canonicalRecords() {
    return new CanonicalRecordDecoder();
  }

  /**
   * Returns a copy that spreads records over {@code buckets} keys; each bucket's distinct records
   * and their counts are held in memory at once.
   *
   * @throws IllegalArgumentException unless {@code buckets} is between 1 and 1,048,576
   */
  public Diff withBuckets(int buckets) {
    if (buckets < 1 || buckets > 1 << 20) {
      throw new IllegalArgumentException("buckets must be in [1, 1048576], got " + buckets);
    }
    return toBuilder().setBuckets(buckets).build();
  }

  /**
   * A JSON text in canonical form: object keys sorted at every level, no whitespace. Text that is
   * not JSON is returned unchanged, so it still compares as a string.
   */
  public static String canonicalJson(String json) {
    try {
      JsonNode tree = CANONICAL.readTree(json);
      if (tree == null) {
        return json;
      }
      Object value = CANONICAL.treeToValue(tree, Object.class);
      return CANONICAL.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return json;
    }
  }

  /**
   * A row as {@link #canonicalJson} text: fields as keys (sorted), {@code DATETIME} as ISO-8601 UTC
   * text, bytes as base64, maps as objects keyed by the key's text, arrays and rows nested.
   *
   * @param row any row
   * @return the canonical JSON object
   */
  public static String canonicalJson(Row row) {
    return CanonicalRecordDecoder.canonicalJson(row, CANONICAL);
  }

  /** The shuffle of every record of both sides, by hash bucket, as the run report names it. */
  public static final String COUNT_PER_SIDE = "Diff.CountPerSide";

  @Override
  public Result expand(PCollectionList<String> sides) {
    if (sides.size() != 2) {
      throw new IllegalArgumentException("Diff needs exactly two inputs, got " + sides.size());
    }
    KvCoder<Integer, KV<String, Boolean>> coder =
        KvCoder.of(VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), BooleanCoder.of()));
    PCollection<KV<Integer, KV<String, Boolean>>> left =
        sides.get(0).apply("TagLeft", ParDo.of(new TagSideFn(true, buckets()))).setCoder(coder);
    PCollection<KV<Integer, KV<String, Boolean>>> right =
        sides.get(1).apply("TagRight", ParDo.of(new TagSideFn(false, buckets()))).setCoder(coder);
    PCollectionTuple diff =
        PCollectionList.of(left)
            .and(right)
            .apply("FlattenSides", Flatten.pCollections())
            .apply("ObserveCountPerSide", ObserveShuffle.into(COUNT_PER_SIDE))
            .apply("CountPerSide", Combine.perKey(new CountPerSideFn()))
            .apply("ObserveCountPerSideOut", ObserveShuffle.outOf(COUNT_PER_SIDE))
            .apply(
                "CompareCounts",
                ParDo.of(new CompareCountsFn())
                    .withOutputTags(ONLY_LEFT_TAG, TupleTagList.of(ONLY_RIGHT_TAG)));
    return new Result(diff);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("buckets", buckets()).withLabel("Hash buckets of records"));
  }

  /** Keys each record by a hash bucket and marks its side. */
  static final class TagSideFn extends DoFn<String, KV<Integer, KV<String, Boolean>>> {
    private final boolean left;
    private final int buckets;

    TagSideFn(boolean left, int buckets) {
      this.left = left;
      this.buckets = buckets;
    }

    @ProcessElement
    public void processElement(
        @Element String record, OutputReceiver<KV<Integer, KV<String, Boolean>>> out) {
      out.output(KV.of(Math.floorMod(record.hashCode(), buckets), KV.of(record, left)));
    }
  }

  /** Counts each record of a bucket per side: record to (left count, right count). */
  static final class CountPerSideFn
      extends Combine.CombineFn<
          KV<String, Boolean>, Map<String, KV<Long, Long>>, Map<String, KV<Long, Long>>> {
    private static final KV<Long, Long> LEFT_ONE = KV.of(1L, 0L);
    private static final KV<Long, Long> RIGHT_ONE = KV.of(0L, 1L);

    private static KV<Long, Long> add(KV<Long, Long> a, KV<Long, Long> b) {
      return KV.of(a.getKey() + b.getKey(), a.getValue() + b.getValue());
    }

    @Override
    public Map<String, KV<Long, Long>> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, KV<Long, Long>> addInput(
        Map<String, KV<Long, Long>> counts, KV<String, Boolean> record) {
      Map<String, KV<Long, Long>> updated = mutable(counts);
      updated.merge(record.getKey(), record.getValue() ? LEFT_ONE : RIGHT_ONE, CountPerSideFn::add);
      return updated;
    }

    /** The accumulator itself when this fn made it; a copy when a coder decoded it read-only. */
    private static Map<String, KV<Long, Long>> mutable(Map<String, KV<Long, Long>> counts) {
      return counts instanceof HashMap ? counts : new HashMap<>(counts);
    }

    @Override
    public Map<String, KV<Long, Long>> mergeAccumulators(
        Iterable<Map<String, KV<Long, Long>>> accumulators) {
      Map<String, KV<Long, Long>> merged = null;
      for (Map<String, KV<Long, Long>> counts : accumulators) {
        if (merged == null) {
          merged = mutable(counts);
          continue;
        }
        for (Map.Entry<String, KV<Long, Long>> entry : counts.entrySet()) {
          merged.merge(entry.getKey(), entry.getValue(), CountPerSideFn::add);
        }
      }
      return merged == null ? createAccumulator() : merged;
    }

    @Override
    public Map<String, KV<Long, Long>> extractOutput(Map<String, KV<Long, Long>> counts) {
      return counts;
    }

    @Override
    public Coder<Map<String, KV<Long, Long>>> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<String, Boolean>> input) {
      return MapCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
    }

    @Override
    public Coder<Map<String, KV<Long, Long>>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<KV<String, Boolean>> input) {
      return getAccumulatorCoder(registry, input);
    }
  }

  /** Emits the surplus of each record on the side that has more of it. */
  static final class CompareCountsFn
      extends DoFn<KV<Integer, Map<String, KV<Long, Long>>>, KV<String, Long>> {
    private final Counter leftRecords = Metrics.counter(Diff.class, LEFT_RECORDS);
    private final Counter rightRecords = Metrics.counter(Diff.class, RIGHT_RECORDS);
    private final Counter onlyLeft = Metrics.counter(Diff.class, ONLY_LEFT);
    private final Counter onlyRight = Metrics.counter(Diff.class, ONLY_RIGHT);

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Map<String, KV<Long, Long>>> bucket, MultiOutputReceiver out) {
      for (Map.Entry<String, KV<Long, Long>> record : bucket.getValue().entrySet()) {
        long left = record.getValue().getKey();
        long right = record.getValue().getValue();
        leftRecords.inc(left);
        rightRecords.inc(right);
        if (left > right) {
          onlyLeft.inc(left - right);
          out.get(ONLY_LEFT_TAG).output(KV.of(record.getKey(), left - right));
        } else if (right > left) {
          onlyRight.inc(right - left);
          out.get(ONLY_RIGHT_TAG).output(KV.of(record.getKey(), right - left));
        }
      }
    }
  }

  /** The two sides of the difference. */
  public static final class Result implements POutput {
    private final PCollectionTuple outputs;

    private Result(PCollectionTuple outputs) {
      this.outputs = outputs;
    }

    /** Records with more copies on the left, and how many more. */
    public PCollection<KV<String, Long>> onlyLeft() {
      return outputs.get(ONLY_LEFT_TAG);
    }

    /** Records with more copies on the right, and how many more. */
    public PCollection<KV<String, Long>> onlyRight() {
      return outputs.get(ONLY_RIGHT_TAG);
    }

    @Override
    public Pipeline getPipeline() {
      return outputs.getPipeline();
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return outputs.expand();
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {
      // Finished by the ParDo that produced them.
    }
  }
}
