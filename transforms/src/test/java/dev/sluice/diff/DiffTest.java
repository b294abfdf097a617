package dev.sluice.diff;

import static org.junit.Assert.assertEquals;

import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class DiffTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void multisetDifferenceInBothDirections() {
    Diff.Result diff =
        PCollectionList.of(p.apply("Left", Create.of("a", "b", "b", "c", "d")))
            .and(p.apply("Right", Create.of("d", "c", "b", "e", "e")))
            .apply(Diff.create());
    PAssert.that(diff.onlyLeft()).containsInAnyOrder(KV.of("a", 1L), KV.of("b", 1L));
    PAssert.that(diff.onlyRight()).containsInAnyOrder(KV.of("e", 2L));
    p.run().waitUntilFinish();
  }

  @Test
  public void equalSidesInAnyOrderGiveNothing() {
    Diff.Result diff =
        PCollectionList.of(p.apply("Left", Create.of("x", "y", "x")))
            .and(p.apply("Right", Create.of("x", "x", "y")))
            .apply(Diff.create());
    PAssert.that(diff.onlyLeft()).empty();
    PAssert.that(diff.onlyRight()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void canonicalJsonIgnoresKeyOrderAndWhitespace() {
    assertEquals(
        Diff.canonicalJson("{\"b\": 1, \"a\": {\"d\": [1, 2], \"c\": null}}"),
        Diff.canonicalJson("{\"a\":{\"c\":null,\"d\":[1,2]},\"b\":1}"));
    assertEquals(
        "{\"a\":{\"c\":null,\"d\":[1,2]},\"b\":1}",
        Diff.canonicalJson("{\"b\": 1, \"a\": {\"d\": [1, 2], \"c\": null}}"));
    assertEquals("not json", Diff.canonicalJson("not json"));
  }
}
