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
    // 301 keys, fewer than the sketch's map: exact counts.
    assertEquals(7_000L, (long) keys.get("hot"));
    assertEquals(0L, (long) shuffle.getOrDefault(HeavyKeys.MAX_ERROR, 0L));
  }

  @Test
  public void beyondTheSketchsMapEstimatesStayWithinTheirMaximumError() {
    // 30,000 elements of "hot" among 100,000 elements of 70,000 distinct cold keys.
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      keys.add(i % 10 < 3 ? "hot" : "cold-" + i);
    }
    p.apply(Create.of(keys))
        .apply("ObserveIn", ObserveShuffle.<String>into(SHUFFLE).withHeavyKeys("key", key -> key))
        .apply(Count.perElement());
    PipelineResult result = p.run();
    result.waitUntilFinish();

    Map<String, Long> shuffle = counters(result, ObserveShuffle.namespace(SHUFFLE));
    long maxError = shuffle.get(HeavyKeys.MAX_ERROR);
    assertTrue(String.valueOf(maxError), maxError > 0 && maxError <= 100_000 * 3.5 / 4096 + 1);
    Map<String, Long> counted = counters(result, HeavyKeys.namespace(SHUFFLE, "key"));
    long hot = counted.get("hot");
    assertTrue(hot + " within " + maxError, hot >= 30_000 && hot <= 30_000 + maxError);
    assertTrue(counted.toString(), counted.size() <= HeavyKeys.MAX_KEYS);
  }

  @Test
  public void nullEmptyAndLongKeysAreShownAsTheyCanBeCounted() {
    assertEquals(HeavyKeys.NULL_KEY, HeavyKeys.shown(null));
    assertEquals(HeavyKeys.EMPTY_KEY, HeavyKeys.shown(""));
    assertEquals("a.com", HeavyKeys.shown("a.com"));
    String longKey = "x".repeat(HeavyKeys.MAX_KEY_LENGTH + 50);
    assertEquals("x".repeat(HeavyKeys.MAX_KEY_LENGTH) + "...", HeavyKeys.shown(longKey));
  }

  @Test
  public void anEmptyKeyDoesNotFailThePipeline() {
    p.apply(Create.of("", "", "a"))
        .apply("ObserveIn", ObserveShuffle.<String>into(SHUFFLE).withHeavyKeys("key", key -> key))
        .apply(Count.perElement());
    PipelineResult result = p.run();
    result.waitUntilFinish();
    Map<String, Long> keys = counters(result, HeavyKeys.namespace(SHUFFLE, "key"));
    assertEquals(2L, (long) keys.get(HeavyKeys.EMPTY_KEY));
    assertEquals(1L, (long) keys.get("a"));
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
