package dev.sluice.pageviews;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class VisitorSketchesTest {

  private static List<String> sessions(int n, String prefix) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }

  private static <A> long approx(CombineFn<String, A, Long> fn, List<List<String>> parts) {
    List<A> accumulators = new ArrayList<>();
    for (List<String> part : parts) {
      A accumulator = fn.createAccumulator();
      for (String id : part) {
        accumulator = fn.addInput(accumulator, id);
      }
      accumulators.add(accumulator);
    }
    return fn.extractOutput(fn.mergeAccumulators(accumulators));
  }

  @Test
  public void tinyGroupsAreCountedExactlyAndSmallOnesClosely() {
    CombineFn<String, ?, Long> fn = PageViewCombineFns.approxVisitors(12);
    assertEquals(0L, approx(fn, List.of(List.of())));
    assertEquals(3L, approx(fn, List.of(List.of("s1", "s2", "s1"), List.of("s3", "s2"))));
    assertEquals(500, approx(fn, List.of(sessions(300, "s"), sessions(500, "s"))), 500 * 0.01);
  }

  @Test
  public void largeGroupsAreWithinThreeStandardErrors() {
    double bound = 3 * VisitorSketches.relativeStandardError(12);
    for (int n : new int[] {10_000, 100_000, 1_000_000}) {
      long estimate =
          approx(
              PageViewCombineFns.approxVisitors(12),
              List.of(sessions(n / 2, "session-"), sessions(n, "session-")));
      assertTrue(n + " estimated as " + estimate, Math.abs(estimate - n) <= bound * n);
    }
  }

  @Test
  public void theStandardErrorIsAboutOnePointSixPercentAtTwelve() {
    assertEquals(0.01625, VisitorSketches.relativeStandardError(12), 1e-5);
    assertEquals(0.0325, VisitorSketches.relativeStandardError(10), 1e-5);
    assertThrows(IllegalArgumentException.class, () -> VisitorSketches.checkLgK(3));
    assertThrows(IllegalArgumentException.class, () -> PageViewCombineFns.approxVisitors(22));
  }

  @Test
  public void sketchBytesAreTheSameFromStringsAndFromTheirUtf8() {
    List<String> ids = sessions(5_000, "sëssion-");
    Union fromBytes = VisitorSketches.newUnion(12);
    for (String id : ids) {
      VisitorSketches.addUtf8(fromBytes, id.getBytes(StandardCharsets.UTF_8));
    }
    assertArrayEquals(VisitorSketches.of(12, ids), VisitorSketches.toBytes(fromBytes));
    HllSketch sketch = VisitorSketches.parse(VisitorSketches.of(12, ids));
    assertEquals(12, sketch.getLgConfigK());
    assertEquals(
        VisitorSketches.estimate(fromBytes), VisitorSketches.estimate(VisitorSketches.of(12, ids)));
  }

  @Test
  public void aSketchIsAtMostAboutHalfOfTwoToTheLgKBytes() {
    assertTrue(VisitorSketches.of(12, sessions(3, "s")).length < 64);
    assertTrue(VisitorSketches.of(12, sessions(1_000_000, "s")).length <= 2_100);
  }

  @Test
  public void bytesThatAreNotASketchAreRefused() {
    assertNull(VisitorSketches.parse(null));
    assertNull(VisitorSketches.parse(new byte[0]));
    assertNull(VisitorSketches.parse("not a sketch".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> VisitorSketches.estimate(new byte[] {1, 2}));
  }

  @Test
  public void theUnionCoderRoundTrips() throws Exception {
    Coder<Union> coder = VisitorSketches.unionCoder();
    for (int n : new int[] {0, 3, 50_000}) {
      Union union = VisitorSketches.newUnion(12);
      sessions(n, "s").forEach(id -> VisitorSketches.add(union, id));
      Union decoded = CoderUtils.clone(coder, union);
      assertEquals(VisitorSketches.estimate(union), VisitorSketches.estimate(decoded));
      assertArrayEquals(VisitorSketches.toBytes(union), VisitorSketches.toBytes(decoded));
    }
    CoderProperties.coderSerializable(coder);
  }

  private static <A> byte[] sketchOf(CombineFn<String, A, byte[]> fn, List<String> ids) {
    A accumulator = fn.createAccumulator();
    for (String id : ids) {
      accumulator = fn.addInput(accumulator, id);
    }
    return fn.extractOutput(accumulator);
  }

  private static <A> void addNull(CombineFn<String, A, byte[]> fn) {
    fn.addInput(fn.createAccumulator(), null);
  }

  @Test
  public void theSketchFnOutputsWhatTheEstimateReads() {
    byte[] sketch = sketchOf(PageViewCombineFns.visitorSketch(12), sessions(2_000, "s"));
    assertEquals(2_000, VisitorSketches.estimate(sketch), 3 * 0.01625 * 2_000);
    assertArrayEquals(VisitorSketches.of(12, sessions(2_000, "s")), sketch);
    assertThrows(NullPointerException.class, () -> addNull(PageViewCombineFns.visitorSketch(12)));
  }
}
