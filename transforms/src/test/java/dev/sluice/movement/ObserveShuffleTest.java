package dev.sluice.movement;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** {@link ObserveShuffle} and {@link HeavyKeys}: the counts a run report reads back. */
@RunWith(JUnit4.class)
public class ObserveShuffleTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final String SHUFFLE = "Test.SumPerKey";

  /** 10,000 elements: key "hot" 7,000 of them, 3,000 more spread over 300 cold keys. */
  private static List<KV<String, Long>> skewed() {
    List<KV<String, Long>> elements = new ArrayList<>();
    for (int i = 0; i < 7_000; i++) {
      elements.add(KV.of("hot", 1L));
    }
    for (int i = 0; i < 3_000; i++) {
      elements.add(KV.of("cold-" + (i % 300), 1L));
    }
    return elements;
  }

  @Test
  public void countsElementsBytesAndTheHeaviestKeysOfAShuffle() {
    PCollection<KV<String, Long>> sums =
        p.apply(Create.of(skewed()).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
            .apply(
                "ObserveIn",
                ObserveShuffle.<KV<String, Long>>into(SHUFFLE).withHeavyKeys("key", KV::getKey))
            .apply(Sum.longsPerKey())
            .apply("ObserveOut", ObserveShuffle.outOf(SHUFFLE));
    PAssert.that(sums.apply(Count.globally())).containsInAnyOrder(301L);
    PipelineResult result = p.run();
    result.waitUntilFinish();

    Map<String, Long> shuffle = counters(result, ObserveShuffle.namespace(SHUFFLE));
    assertEquals(10_000L, (long) shuffle.get(ObserveShuffle.ELEMENTS_IN));
    // Each element: a length byte, the key's UTF-8 bytes, one VarLong byte.
    long bytesIn = 7_000L * (1 + 3 + 1);
    for (int i = 0; i < 300; i++) {
      bytesIn += 10L * (1 + ("cold-" + i).length() + 1);
    }
    assertEquals(bytesIn, (long) shuffle.get(ObserveShuffle.BYTES_IN));
    assertEquals(301L, (long) shuffle.get(ObserveShuffle.ELEMENTS_OUT));
    assertEquals(10_000L, (long) shuffle.get(HeavyKeys.KEYED_ELEMENTS));

    Map<String, Long> keys = counters(result, HeavyKeys.namespace(SHUFFLE, "key"));
    String heaviest =
        keys.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    assertEquals("hot", heaviest);
    // The sketch's estimate is never below the true count, and at most 3.5/256 of the elements
    // above it.
    long hot = keys.get("hot");
    assertTrue(String.valueOf(hot), hot >= 7_000 && hot <= 7_000 + 10_000 * 3.5 / 256);
    assertTrue(keys.toString(), keys.size() <= HeavyKeys.MAX_KEYS);
  }

  @Test
  public void refusesNegativeCountsAndBadNames() {
    HeavyKeys keys = HeavyKeys.of(SHUFFLE, "customer");
    assertThrows(IllegalArgumentException.class, () -> keys.add("c", -1));
    assertThrows(IllegalArgumentException.class, () -> HeavyKeys.of("a|b", "customer"));
    assertThrows(IllegalArgumentException.class, () -> ObserveShuffle.into(""));
  }

  private static Map<String, Long> counters(PipelineResult result, String namespace) {
    Map<String, Long> values = new HashMap<>();
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (counter.getName().getNamespace().equals(namespace)) {
        values.merge(counter.getName().getName(), counter.getCommitted(), Long::sum);
      }
    }
    return values;
  }
}
