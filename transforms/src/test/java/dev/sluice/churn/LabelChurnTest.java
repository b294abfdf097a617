package dev.sluice.churn;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.sluice.testing.Counters;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class LabelChurnTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final String CANCEL = LabelChurn.DEFAULT_CHURN_PAGE;

  static SparkifyEvent event(String userId, String page, long ts) {
    return SparkifyEvent.builder().setUserId(userId).setPage(page).setTs(ts).build();
  }

  private PCollection<SparkifyEvent> events(SparkifyEvent... events) {
    return p.apply(Create.of(Arrays.asList(events)));
  }

  @Test
  public void labelsChurnedAndStayedUsersAndSkipsGuests() {
    SparkifyEvent aHome = event("a", "Home", 1);
    SparkifyEvent aCancel = event("a", "Cancel", 2);
    SparkifyEvent aConfirm = event("a", CANCEL, 3);
    SparkifyEvent bSong = event("b", "NextSong", 4);
    SparkifyEvent bDowngrade = event("b", "Submit Downgrade", 5);
    SparkifyEvent guest = event("", "Home", 6);

    LabelChurn.Result result =
        events(aHome, aCancel, aConfirm, bSong, bDowngrade, guest).apply(LabelChurn.create());

    List<LabelledEvent> cancelled =
        List.of(
            LabelledEvent.of(aHome, false, 1),
            LabelledEvent.of(aCancel, false, 1),
            LabelledEvent.of(aConfirm, true, 1));
    List<LabelledEvent> stayed =
        List.of(LabelledEvent.of(bSong, false, 0), LabelledEvent.of(bDowngrade, false, 0));
    PAssert.that(result.cancelled()).containsInAnyOrder(cancelled);
    PAssert.that(result.stayed()).containsInAnyOrder(stayed);
    PAssert.that(result.labelled())
        .containsInAnyOrder(
            LabelledEvent.of(aHome, false, 1),
            LabelledEvent.of(aCancel, false, 1),
            LabelledEvent.of(aConfirm, true, 1),
            LabelledEvent.of(bSong, false, 0),
            LabelledEvent.of(bDowngrade, false, 0));
    PipelineResult run = p.run();
    run.waitUntilFinish();
    // Each count the summary reports, as the transform documents it.
    assertEquals(1, counter(run, LabelChurn.GUEST_EVENTS_SKIPPED));
    assertEquals(5, counter(run, LabelChurn.LABELLED_EVENTS));
    assertEquals(2, counter(run, LabelChurn.STAYED_EVENTS));
    assertEquals(3, counter(run, LabelChurn.CANCELLED_EVENTS));
    assertEquals(1, counter(run, LabelChurn.CHURNED_USERS));
    assertEquals(1, counter(run, LabelChurn.STAYED_USERS));
  }

  private static long counter(PipelineResult result, String name) {
    return Counters.attempted(result, LabelChurn.class, name);
  }

  @Test
  public void emptyInputGivesEmptyOutputs() throws Exception {
    LabelChurn.Result result =
        p.apply(Create.empty(p.getSchemaRegistry().getSchemaCoder(SparkifyEvent.class)))
            .apply(LabelChurn.create());
    PAssert.that(result.labelled()).empty();
    PAssert.that(result.stayed()).empty();
    PAssert.that(result.cancelled()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void onlyGuestsGiveEmptyOutputs() {
    LabelChurn.Result result =
        events(event("", CANCEL, 1), event("", "Home", 2)).apply(LabelChurn.create());
    PAssert.that(result.labelled()).empty();
    PAssert.that(result.cancelled()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void userWhoseOnlyEventIsTheCancellationChurned() {
    SparkifyEvent only = event("c", CANCEL, 10);
    LabelChurn.Result result = events(only).apply(LabelChurn.create());
    PAssert.that(result.labelled()).containsInAnyOrder(LabelledEvent.of(only, true, 1));
    PAssert.that(result.cancelled()).containsInAnyOrder(LabelledEvent.of(only, true, 1));
    PAssert.that(result.stayed()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void duplicateEventsAreKeptAndLabelledAlike() {
    SparkifyEvent song = event("d", "NextSong", 7);
    SparkifyEvent cancel = event("d", CANCEL, 8);
    SparkifyEvent other = event("e", "NextSong", 7);
    LabelChurn.Result result =
        events(song, song, cancel, cancel, other, other).apply(LabelChurn.create());
    PAssert.that(result.labelled())
        .containsInAnyOrder(
            LabelledEvent.of(song, false, 1),
            LabelledEvent.of(song, false, 1),
            LabelledEvent.of(cancel, true, 1),
            LabelledEvent.of(cancel, true, 1),
            LabelledEvent.of(other, false, 0),
            LabelledEvent.of(other, false, 0));
    PAssert.that(result.stayed())
        .containsInAnyOrder(LabelledEvent.of(other, false, 0), LabelledEvent.of(other, false, 0));
    p.run().waitUntilFinish();
  }

  @Test
  public void userIdsAreCaseSensitiveStrings() {
    SparkifyEvent upper = event("X1", CANCEL, 1);
    SparkifyEvent lower = event("x1", "Home", 2);
    LabelChurn.Result result = events(upper, lower).apply(LabelChurn.create());
    PAssert.that(result.stayed()).containsInAnyOrder(LabelledEvent.of(lower, false, 0));
    PAssert.that(result.cancelled()).containsInAnyOrder(LabelledEvent.of(upper, true, 1));
    p.run().waitUntilFinish();
  }

  @Test
  public void churnPagesAreConfigurable() {
    SparkifyEvent downgrade = event("f", "Submit Downgrade", 1);
    SparkifyEvent confirm = event("g", CANCEL, 2);
    LabelChurn.Result result =
        events(downgrade, confirm)
            .apply(LabelChurn.create().withChurnPages(List.of("Submit Downgrade")));
    PAssert.that(result.cancelled()).containsInAnyOrder(LabelledEvent.of(downgrade, true, 1));
    PAssert.that(result.stayed()).containsInAnyOrder(LabelledEvent.of(confirm, false, 0));
    p.run().waitUntilFinish();
  }

  @Test
  public void rejectsEmptyOrBlankChurnPages() {
    assertThrows(
        IllegalArgumentException.class, () -> LabelChurn.create().withChurnPages(List.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> LabelChurn.create().withChurnPages(List.of("Cancel", " ")));
    assertThat(
        LabelChurn.create().withChurnPages(List.of("b", "a")).churnPages(), contains("a", "b"));
  }
}
