package dev.sluice.movement;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * The heaviest keys of a keyed step, counted in the pass that reads its input: a DataSketches
 * frequent-items sketch ({@link ItemsSketch}, Misra-Gries with a map of {@value #MAP_SIZE} items)
 * per {@code DoFn} instance, published as Beam counters at the end of each bundle. The run report
 * ({@code summary.json}, {@code shuffles}) adds them up over every instance and shows the top 10
 * with their share of the keyed elements.
 *
 * <p>A {@code DoFn} holds one as a field (it is {@link Serializable}; the sketch is created on the
 * worker), calls {@link #add} for each element or with a weight for a pre-aggregated count, and
 * {@link #publish()} in {@code @FinishBundle}:
 *
 * <pre>{@code
 * private final HeavyKeys heavyKeys = HeavyKeys.of("LabelChurnFiles.LabelUsers", "userId");
 * ... heavyKeys.add(event.userId());            // in @ProcessElement
 * ... heavyKeys.publish();                       // in @FinishBundle
 * }</pre>
 *
 * <p>Counters, under namespaces that name the shuffle ({@link #namespace}): {@value
 * #KEYED_ELEMENTS}, the elements counted; and one counter per published key, named by the key,
 * holding its estimated element count; and {@value #MAX_ERROR}. Each instance publishes its {@value
 * #PUBLISHED} heaviest keys, at most {@value #MAX_KEYS} distinct keys in its life. Error, per
 * DataSketches: exact while an instance has seen at most {@value #MAP_SIZE} distinct keys; beyond,
 * an estimate is at most the sketch's maximum error (at most 3.5/{@value #MAP_SIZE} of the
 * instance's elements) above the true count, and never below it while the key stays among the
 * instance's published ones; a key that drops out keeps the count it had. The report adds up the
 * instances' published counts, so a key that is heavy overall but never among one instance's
 * {@value #PUBLISHED} heaviest is counted low or not at all. A skewed key cannot be missed: a key
 * with more than 1/({@value #PUBLISHED} + 1) of an instance's elements (4.8%) is always among its
 * heaviest. Values follow the runner's metrics: attempted, summed over retries where the runner
 * keeps failed attempts' updates (see the README's "Metrics under retries").
 */
public final class HeavyKeys implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * The sketch's maximum map size: up to this many keys are counted exactly; beyond it the error is
   * at most 3.5 / MAP_SIZE (0.09%) of the instance's elements. About 4,096 keys and counts of
   * memory per instance.
   */
  public static final int MAP_SIZE = 4096;

  /** Keys each instance publishes after each bundle: its heaviest ones. */
  public static final int PUBLISHED = 20;

  /** Distinct keys one instance publishes at most, so that the counters stay few. */
  public static final int MAX_KEYS = 1000;

  /** Counter of the elements the sketch counted (with weights), in {@link #totalNamespace}. */
  public static final String KEYED_ELEMENTS = "keyed_elements";

  /**
   * Counter of the sketches' maximum errors, summed over instances, in {@link #totalNamespace}: no
   * key's published count exceeds its true count by more; 0 while every instance counted fewer than
   * {@value #MAP_SIZE} distinct keys, when the counts are exact.
   */
  public static final String MAX_ERROR = "heavy_keys_max_error";

  /** How the namespace of the key counters starts; then the shuffle, a '|' and the key's name. */
  public static final String NAMESPACE_PREFIX = "sluice.heavy_keys|";

  private final String shuffle;
  private final String keyName;
  private transient ItemsSketch<String> sketch;
  private transient Map<String, Long> published;
  private transient long publishedTotal;
  private transient long publishedError;

  private HeavyKeys(String shuffle, String keyName) {
    this.shuffle = ObserveShuffle.checkName(shuffle);
    this.keyName = ObserveShuffle.checkName(keyName);
  }

  /**
   * The heavy keys of {@code shuffle}.
   *
   * @param shuffle the shuffle's name in the report: the transform's class and the step, e.g.
   *     {@code RollUpPageViewFiles.GroupPartials}; no {@code '|'}
   * @param keyName what a key is, e.g. {@code customer}; no {@code '|'}
   * @throws IllegalArgumentException if a name is empty or holds {@code '|'}
   */
  public static HeavyKeys of(String shuffle, String keyName) {
    return new HeavyKeys(shuffle, keyName);
  }

  /** The namespace of the key counters of {@code shuffle} keyed by {@code keyName}. */
  public static String namespace(String shuffle, String keyName) {
    return NAMESPACE_PREFIX + shuffle + "|" + keyName;
  }

  /** The namespace of {@link #KEYED_ELEMENTS}: the shuffle's ({@link ObserveShuffle#namespace}). */
  public static String totalNamespace(String shuffle) {
    return ObserveShuffle.namespace(shuffle);
  }

  /** How a null key is shown: no real key has this form. */
  public static final String NULL_KEY = "(null)";

  /** How an empty key is shown. */
  public static final String EMPTY_KEY = "(empty)";

  /** Keys are cut to this many characters (and marked with a trailing {@code ...}). */
  public static final int MAX_KEY_LENGTH = 200;

  /** Counts one element of {@code key}; see {@link #add(String, long)}. */
  public void add(String key) {
    add(key, 1);
  }

  /**
   * Counts {@code elements} elements of {@code key}, such as the views of a customer that a bundle
   * pre-aggregated. A null key counts as {@value #NULL_KEY}, an empty one as {@value #EMPTY_KEY} (a
   * counter cannot have an empty name), and a key longer than {@value #MAX_KEY_LENGTH} characters
   * by its first ones. Not thread-safe: one instance per {@code DoFn} instance.
   *
   * @throws IllegalArgumentException if {@code elements} is negative
   */
  public void add(String key, long elements) {
    if (elements < 0) {
      throw new IllegalArgumentException("negative element count " + elements + " for " + key);
    }
    if (elements == 0) {
      return;
    }
    if (sketch == null) {
      sketch = new ItemsSketch<>(MAP_SIZE);
      published = new HashMap<>();
    }
    sketch.update(shown(key), elements);
  }

  static String shown(String key) {
    if (key == null) {
      return NULL_KEY;
    }
    if (key.isEmpty()) {
      return EMPTY_KEY;
    }
    return key.length() <= MAX_KEY_LENGTH ? key : key.substring(0, MAX_KEY_LENGTH) + "...";
  }

  /**
   * Adds to the counters what this instance counted since its last publication: the elements, the
   * sketch's maximum error, and for each of its {@value #PUBLISHED} heaviest keys the growth of its
   * estimate. Call it in {@code @FinishBundle}, where Beam's metrics belong to the bundle.
   */
  public void publish() {
    if (sketch == null) {
      return;
    }
    long total = sketch.getStreamLength();
    if (total > publishedTotal) {
      Metrics.counter(totalNamespace(shuffle), KEYED_ELEMENTS).inc(total - publishedTotal);
      publishedTotal = total;
    }
    long error = sketch.getMaximumError();
    if (error > publishedError) {
      Metrics.counter(totalNamespace(shuffle), MAX_ERROR).inc(error - publishedError);
      publishedError = error;
    }
    ItemsSketch.Row<String>[] rows = sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
    String namespace = namespace(shuffle, keyName);
    for (int i = 0; i < Math.min(PUBLISHED, rows.length); i++) {
      String key = rows[i].getItem();
      long estimate = rows[i].getEstimate();
      Long before = published.get(key);
      if (before == null && published.size() >= MAX_KEYS) {
        continue;
      }
      long growth = estimate - (before == null ? 0 : before);
      if (growth > 0) {
        Counter counter = Metrics.counter(namespace, key);
        counter.inc(growth);
        published.put(key, estimate);
      }
    }
  }
}
