package dev.sluice.movement;

import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.util.common.ElementByteSizeObserver;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The element and byte counts of one side of a shuffle, kept by a {@code DoFn} that produces the
 * shuffle's input or consumes its output, so that counting adds no step to the pipeline: {@link
 * #add} per element, {@link #publish()} in {@code @FinishBundle}. {@link ObserveShuffle} is the
 * same count as a step of its own. Counters: {@link ObserveShuffle#ELEMENTS_IN} and {@link
 * ObserveShuffle#BYTES_IN} (or {@code _OUT}) in {@link ObserveShuffle#namespace}; bytes are the
 * encoded size under {@code coder} ({@code Coder.registerByteSizeObserver}). Not thread-safe: one
 * per {@code DoFn} instance.
 *
 * @param <T> the elements, as the shuffle sees them ({@code KV<K, V>})
 */
public final class ShuffleCounts<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String shuffle;
  private final boolean into;
  private final @Nullable Coder<T> coder;
  private transient long elements;
  private transient @Nullable Sizes sizes;

  private ShuffleCounts(String shuffle, boolean into, @Nullable Coder<T> coder) {
    this.shuffle = ObserveShuffle.checkName(shuffle);
    this.into = into;
    this.coder = coder;
  }

  /**
   * Counts what goes into {@code shuffle}.
   *
   * @param shuffle the shuffle's name in the report ({@code LabelChurnFiles.LabelUsers})
   * @param coder the coder of the shuffle's input, for its bytes; null counts elements only
   * @throws IllegalArgumentException if the name is empty or holds {@code '|'}
   */
  public static <T> ShuffleCounts<T> into(String shuffle, @Nullable Coder<T> coder) {
    return new ShuffleCounts<>(shuffle, true, coder);
  }

  /**
   * Counts what comes out of {@code shuffle}.
   *
   * @param shuffle the shuffle's name in the report
   * @param coder the coder of the shuffle's output, for its bytes; null counts elements only
   * @throws IllegalArgumentException if the name is empty or holds {@code '|'}
   */
  public static <T> ShuffleCounts<T> outOf(String shuffle, @Nullable Coder<T> coder) {
    return new ShuffleCounts<>(shuffle, false, coder);
  }

  /**
   * Counts one element and its encoded bytes.
   *
   * @throws IllegalStateException if the coder cannot size the element
   */
  public void add(T element) {
    elements++;
    if (coder != null) {
      if (sizes == null) {
        sizes = new Sizes();
      }
      try {
        coder.registerByteSizeObserver(element, sizes);
      } catch (Exception e) {
        throw new IllegalStateException("cannot size an element of " + shuffle, e);
      }
      sizes.advance();
    }
  }

  /** Adds this bundle's counts to the counters and starts the next bundle's from zero. */
  public void publish() {
    String namespace = ObserveShuffle.namespace(shuffle);
    if (elements > 0) {
      Metrics.counter(namespace, into ? ObserveShuffle.ELEMENTS_IN : ObserveShuffle.ELEMENTS_OUT)
          .inc(elements);
    }
    if (sizes != null && sizes.total > 0) {
      Metrics.counter(namespace, into ? ObserveShuffle.BYTES_IN : ObserveShuffle.BYTES_OUT)
          .inc(sizes.total);
      sizes.total = 0;
    }
    elements = 0;
  }

  /** Adds up the sizes a coder reports. */
  private static final class Sizes extends ElementByteSizeObserver {
    long total;

    @Override
    protected void reportElementSize(long elementByteSize) {
      total += elementByteSize;
    }
  }
}
