package dev.sluice.movement;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Counts what a shuffle (a {@code GroupByKey} or {@code Combine.perKey}) moves, as a step that
 * passes every element on unchanged: {@code PCollection<T>} in, the same {@code PCollection<T>}
 * out, with the same coder and windows. Applied just before the shuffle ({@link #into}) it counts
 * {@value #ELEMENTS_IN} and {@value #BYTES_IN}; just after it ({@link #outOf}), {@value
 * #ELEMENTS_OUT} and {@value #BYTES_OUT}. Bytes are the elements' encoded size under the
 * collection's coder ({@code Coder.registerByteSizeObserver}), the size Beam's runners encode them
 * to for the shuffle; a runner that combines before its shuffle (combiner lifting) moves fewer.
 * {@link #withHeavyKeys} adds the heaviest keys, counted by {@link HeavyKeys} in the same pass.
 *
 * <pre>{@code
 * byUser
 *     .apply("ObserveLabelUsers", ObserveShuffle.<KV<String, Integer>>into("LabelChurn.LabelUsers")
 *         .withHeavyKeys("userId", KV::getKey))
 *     .apply("LabelUsers", Max.integersPerKey())
 *     .apply("ObserveLabelUsersOut", ObserveShuffle.outOf("LabelChurn.LabelUsers"));
 * }</pre>
 *
 * <p>Counters are in the namespace {@link #namespace}{@code (shuffle)}, which names the shuffle for
 * the run report; counts go to Beam {@code Metrics} once per bundle. Two applications of a
 * transform with the same shuffle name add up in the report.
 */
public final class ObserveShuffle<T> extends PTransform<PCollection<T>, PCollection<T>> {

  private static final long serialVersionUID = 1L;

  /** Counter of the elements that go into the shuffle. */
  public static final String ELEMENTS_IN = "elements_in";

  /** Counter of their encoded bytes. */
  public static final String BYTES_IN = "bytes_in";

  /** Counter of the elements that come out of it: groups, or combined values. */
  public static final String ELEMENTS_OUT = "elements_out";

  /** Counter of their encoded bytes. */
  public static final String BYTES_OUT = "bytes_out";

  /** How the namespace of a shuffle's counters starts; the shuffle's name follows. */
  public static final String NAMESPACE_PREFIX = "sluice.shuffle|";

  private final String shuffle;
  private final boolean into;
  private final @Nullable String keyName;
  private final @Nullable SerializableFunction<T, String> key;

  private ObserveShuffle(
      String shuffle,
      boolean into,
      @Nullable String keyName,
      @Nullable SerializableFunction<T, String> key) {
    this.shuffle = checkName(shuffle);
    this.into = into;
    this.keyName = keyName;
    this.key = key;
  }

  /**
   * Counts the elements going into {@code shuffle}.
   *
   * @param shuffle its name in the report: the transform's class and the step, e.g. {@code
   *     RollUpPageViewFiles.GroupPartials}; no {@code '|'}
   * @throws IllegalArgumentException if the name is empty or holds {@code '|'}
   */
  public static <T> ObserveShuffle<T> into(String shuffle) {
    return new ObserveShuffle<>(shuffle, true, null, null);
  }

  /**
   * Counts the elements coming out of {@code shuffle}.
   *
   * @throws IllegalArgumentException if the name is empty or holds {@code '|'}
   */
  public static <T> ObserveShuffle<T> outOf(String shuffle) {
    return new ObserveShuffle<>(shuffle, false, null, null);
  }

  /**
   * Returns a copy that also counts the heaviest keys, {@code key} of each element, as {@link
   * HeavyKeys} of this shuffle.
   *
   * @param keyName what a key is, e.g. {@code userId}
   * @param key the key of an element, as the report shows it
   */
  public ObserveShuffle<T> withHeavyKeys(String keyName, SerializableFunction<T, String> key) {
    return new ObserveShuffle<>(shuffle, into, checkName(keyName), key);
  }

  /** The namespace of the counters of {@code shuffle}. */
  public static String namespace(String shuffle) {
    return NAMESPACE_PREFIX + shuffle;
  }

  static String checkName(String name) {
    if (name == null || name.isEmpty() || name.indexOf('|') >= 0) {
      throw new IllegalArgumentException("not a shuffle or key name: '" + name + "'");
    }
    return name;
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    Coder<T> coder = input.getCoder();
    HeavyKeys heavyKeys = keyName == null ? null : HeavyKeys.of(shuffle, keyName);
    return input
        .apply(
            "Observe",
            ParDo.of(
                new ObserveFn<>(
                    into ? ShuffleCounts.into(shuffle, coder) : ShuffleCounts.outOf(shuffle, coder),
                    heavyKeys,
                    key)))
        .setCoder(coder);
  }

  /** Passes elements on; counts them, their bytes and keys, and reports per bundle. */
  static final class ObserveFn<T> extends DoFn<T, T> {
    private static final long serialVersionUID = 1L;

    private final ShuffleCounts<T> counts;
    private final @Nullable HeavyKeys heavyKeys;
    private final @Nullable SerializableFunction<T, String> key;

    ObserveFn(
        ShuffleCounts<T> counts,
        @Nullable HeavyKeys heavyKeys,
        @Nullable SerializableFunction<T, String> key) {
      this.counts = counts;
      this.heavyKeys = heavyKeys;
      this.key = key;
    }

    @ProcessElement
    public void processElement(@Element T element, OutputReceiver<T> out) {
      counts.add(element);
      if (heavyKeys != null && key != null) {
        heavyKeys.add(key.apply(element));
      }
      out.output(element);
    }

    @FinishBundle
    public void finishBundle() {
      counts.publish();
      if (heavyKeys != null) {
        heavyKeys.publish();
      }
    }
  }
}
