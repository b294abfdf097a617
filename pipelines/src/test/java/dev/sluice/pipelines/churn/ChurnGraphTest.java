package dev.sluice.pipelines.churn;

import dev.sluice.churn.LabelledEvent;
import dev.sluice.churn.SparkifyEvent;
import dev.sluice.deadletter.DeadLetter;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The churn graph without its I/O, as Beam's {@code LeaderBoardTest} tests its pipeline: events
 * created in memory go through {@link ChurnPipeline#labelChurn}, and every output is asserted.
 */
@RunWith(JUnit4.class)
public class ChurnGraphTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static SparkifyEvent event(String user, String page, long ts) {
    return SparkifyEvent.builder().setUserId(user).setPage(page).setTs(ts).build();
  }

  @Test
  public void labelsEveryEventOfAKnownUserAndPassesDeadLettersOn() throws Exception {
    SparkifyEvent home = event("1", "Home", 1);
    SparkifyEvent cancel = event("1", "Cancellation Confirmation", 2);
    SparkifyEvent song = event("2", "NextSong", 3);
    SparkifyEvent guest = event("", "Home", 4);
    DeadLetter bad = DeadLetter.of("events.json", "ParseSparkifyEvents", "not a JSON object", "[]");
    PCollection<SparkifyEvent> events =
        p.apply(
            "Events",
            Create.of(home, cancel, song, guest)
                .withCoder(p.getSchemaRegistry().getSchemaCoder(SparkifyEvent.class)));
    PCollection<DeadLetter> deadLetters =
        p.apply(
            "DeadLetters",
            Create.of(bad).withCoder(p.getSchemaRegistry().getSchemaCoder(DeadLetter.class)));

    ChurnPipeline.Outputs outputs =
        ChurnPipeline.labelChurn(
            WithFailures.Result.of(events, deadLetters), List.of("Cancellation Confirmation"));

    PAssert.that("labelled", outputs.labelled())
        .containsInAnyOrder(
            LabelledEvent.of(home, false, 1),
            LabelledEvent.of(cancel, true, 1),
            LabelledEvent.of(song, false, 0));
    PAssert.that("cancelled", outputs.cancelled())
        .containsInAnyOrder(LabelledEvent.of(home, false, 1), LabelledEvent.of(cancel, true, 1));
    PAssert.that("stayed", outputs.stayed()).containsInAnyOrder(LabelledEvent.of(song, false, 0));
    PAssert.that("dead letters", outputs.deadLetters()).containsInAnyOrder(bad);
    p.run().waitUntilFinish();
  }
}
