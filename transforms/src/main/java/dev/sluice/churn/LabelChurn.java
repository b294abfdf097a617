package dev.sluice.churn;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.movement.ObserveShuffle;
import dev.sluice.movement.ShuffleCounts;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Labels the events of a Sparkify-format log with churn: {@code PCollection<SparkifyEvent>} in, a
 * {@link Result} out with three {@code PCollection<LabelledEvent>}s: {@code labelled} (every event
 * of a known user), {@code stayed} (the events of users who never churned) and {@code cancelled}
 * (the events of users who churned).
 *
 * <p>Semantics are those of the Sparkify churn preparation (Udacity's Data Scientist capstone, in
 * its refactored DataFrame form: filter early, a boolean churn column, a join instead of collected
 * lists):
 *
 * <ol>
 *   <li>events without a user id ({@code userId ""}: guests and logged-out visitors) are skipped on
 *       purpose and counted as {@value #GUEST_EVENTS_SKIPPED};
 *   <li>{@code churn} is true for an event whose page is a churn page ({@code Cancellation
 *       Confirmation} unless {@link #withChurnPages} says otherwise);
 *   <li>a user has churned when any of their events has {@code churn}; {@code label} is 1 on every
 *       event of a churned user, else 0.
 * </ol>
 *
 * <p>Duplicate events are kept (and labelled like the original), as Spark keeps them: every known
 * event in gives exactly one labelled event out, so {@code input = labelled + guests skipped} and
 * {@code labelled = stayed + cancelled}.
 *
 * <p>The plan is the one Spark chooses for the refactored DataFrame preparation, a broadcast hash
 * join of the small churned-users table: the per-user label is a {@code Max} {@code CombineFn}
 * (combined before the shuffle); only the ids of churned users become a {@code View.asMap} side
 * input; events stream through one {@code ParDo} and are never shuffled or grouped. Nothing is
 * collected to the driver, no side input holds the users who stayed, and no list of a user's events
 * is built. Memory: the side input holds one entry per churned user (about 5,000 short strings for
 * the full 12 GB Sparkify log), whatever the number of events.
 *
 * <p>Outputs keep the input's windows and timestamps; the labels are computed in the global window,
 * so apply this transform to bounded input in the global window (as read from files). They have the
 * {@code SchemaCoder} of {@link LabelledEvent}. Empty input gives three empty outputs. Counters
 * ({@value #LABELLED_EVENTS}, {@value #STAYED_EVENTS}, {@value #CANCELLED_EVENTS}, {@value
 * #CHURNED_USERS}, {@value #STAYED_USERS}) are in this class's namespace.
 *
 * <pre>{@code
 * LabelChurn.Result churn = events.apply("LabelChurn", LabelChurn.create());
 * churn.cancelled().apply(...);
 * }</pre>
 */
@AutoValue
public abstract class LabelChurn extends PTransform<PCollection<SparkifyEvent>, LabelChurn.Result> {

  /** The page that marks churn in Sparkify logs. */
  public static final String DEFAULT_CHURN_PAGE = "Cancellation Confirmation";

  /** Counter of guest events (empty user id) skipped. */
  public static final String GUEST_EVENTS_SKIPPED = "guest_events_skipped";

  /** Counter of events outside the time range of {@code LabelChurnFiles}, skipped on purpose. */
  public static final String OUTSIDE_TIME_RANGE = "outside_time_range";

  /** Counter of events output as labelled. */
  public static final String LABELLED_EVENTS = "labelled_events";

  /** Counter of events of users who stayed. */
  public static final String STAYED_EVENTS = "stayed_events";

  /** Counter of events of users who churned. */
  public static final String CANCELLED_EVENTS = "cancelled_events";

  /** Counter of users who churned. */
  public static final String CHURNED_USERS = "churned_users";

  /** Counter of users who stayed. */
  public static final String STAYED_USERS = "stayed_users";

  static final TupleTag<LabelledEvent> LABELLED = new TupleTag<>() {};
  static final TupleTag<LabelledEvent> STAYED = new TupleTag<>() {};
  static final TupleTag<LabelledEvent> CANCELLED = new TupleTag<>() {};

  /** The pages that mark churn, matched exactly; iterates in sorted order. */
  public abstract SortedSet<String> churnPages();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setChurnPages(SortedSet<String> pages);

    abstract LabelChurn build();
  }

  /** Labels churn by the page {@value #DEFAULT_CHURN_PAGE}. */
  public static LabelChurn create() {
    return new AutoValue_LabelChurn.Builder()
        .setChurnPages(Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(DEFAULT_CHURN_PAGE))))
        .build();
  }

  /**
   * Returns a copy that treats any of {@code pages} as a churn page (matched exactly, case
   * sensitive).
   *
   * @param pages one or more page names, none blank
   * @throws IllegalArgumentException if {@code pages} is empty or holds a blank name
   */
  public LabelChurn withChurnPages(Collection<String> pages) {
    checkArgumentNotNull(pages, "churn pages must not be null");
    if (pages.isEmpty()) {
      throw new IllegalArgumentException("churn pages must not be empty");
    }
    for (String page : pages) {
      if (page == null || page.isBlank()) {
        throw new IllegalArgumentException("churn pages must not be blank, got " + pages);
      }
    }
    return toBuilder()
        .setChurnPages(Collections.unmodifiableSortedSet(new TreeSet<>(pages)))
        .build();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(
        DisplayData.item("churnPages", String.join(", ", churnPages())).withLabel("Churn pages"));
  }

  /** The shuffle of the labelling, by user, as the run report names it. */
  public static final String LABEL_USERS = "LabelChurn.LabelUsers";

  /** The coder of a user's churn flag, {@code KV<userId, 1 or 0>}, as the labelling shuffles it. */
  static final KvCoder<String, Integer> USER_FLAG_CODER =
      KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of());

  @Override
  public Result expand(PCollection<SparkifyEvent> events) {
    PCollection<KV<String, SparkifyEvent>> byUser =
        events
            .apply("SkipGuestEvents", ParDo.of(new SkipGuestEventsFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), events.getCoder()));
    PCollectionView<Map<String, Integer>> churnedUsers =
        byUser
            .apply("FlagChurnEvents", ParDo.of(new FlagChurnEventsFn(churnPages())))
            .setCoder(USER_FLAG_CODER)
            .apply(
                "ObserveLabelUsers",
                ObserveShuffle.<KV<String, Integer>>into(LABEL_USERS)
                    .withHeavyKeys("userId", KV::getKey))
            .apply("LabelUsers", Max.integersPerKey())
            .apply("KeepChurnedUsers", ParDo.of(new KeepChurnedUsersFn(LABEL_USERS)))
            .apply("ChurnedUsersView", View.asMap());
    PCollectionTuple outputs =
        byUser.apply(
            "EmitLabelledEvents",
            ParDo.of(new EmitLabelledEventsFn(churnPages(), churnedUsers))
                .withSideInputs(churnedUsers)
                .withOutputTags(LABELLED, TupleTagList.of(STAYED).and(CANCELLED)));
    return new Result(outputs);
  }

  /** Drops guest events (counted) and keys the others by user id. */
  static final class SkipGuestEventsFn extends DoFn<SparkifyEvent, KV<String, SparkifyEvent>> {
    private final Counter guests = Metrics.counter(LabelChurn.class, GUEST_EVENTS_SKIPPED);

    @ProcessElement
    public void processElement(
        @Element SparkifyEvent event, OutputReceiver<KV<String, SparkifyEvent>> out) {
      if (event.isGuest()) {
        guests.inc();
      } else {
        out.output(KV.of(event.getUserId(), event));
      }
    }
  }

  /** Maps each event to (user, 1) when it is on a churn page, else (user, 0). */
  static final class FlagChurnEventsFn
      extends DoFn<KV<String, SparkifyEvent>, KV<String, Integer>> {
    private final Set<String> churnPages;

    FlagChurnEventsFn(Set<String> churnPages) {
      this.churnPages = churnPages;
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, SparkifyEvent> event, OutputReceiver<KV<String, Integer>> out) {
      out.output(KV.of(event.getKey(), churnPages.contains(event.getValue().getPage()) ? 1 : 0));
    }
  }

  /** Counts users by label and keeps those who churned (label 1). */
  static final class KeepChurnedUsersFn extends DoFn<KV<String, Integer>, KV<String, Integer>> {
    private final Counter churnedUsers = Metrics.counter(LabelChurn.class, CHURNED_USERS);
    private final Counter stayedUsers = Metrics.counter(LabelChurn.class, STAYED_USERS);
    // What comes out of the labelling's shuffle: one label per user.
    private final ShuffleCounts<KV<String, Integer>> shuffled;

    /** Counts its input as what comes out of the shuffle {@code shuffle}. */
    KeepChurnedUsersFn(String shuffle) {
      this.shuffled = ShuffleCounts.outOf(shuffle, USER_FLAG_CODER);
    }

    @FinishBundle
    public void finishBundle() {
      shuffled.publish();
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, Integer> user, OutputReceiver<KV<String, Integer>> out) {
      shuffled.add(user);
      if (user.getValue() == 1) {
        churnedUsers.inc();
        out.output(user);
      } else {
        stayedUsers.inc();
      }
    }
  }

  /** Labels each event from the churned-users side input, to labelled and stayed or cancelled. */
  static final class EmitLabelledEventsFn extends DoFn<KV<String, SparkifyEvent>, LabelledEvent> {
    private final Set<String> churnPages;
    private final PCollectionView<Map<String, Integer>> churnedUsers;
    private final Counter labelled = Metrics.counter(LabelChurn.class, LABELLED_EVENTS);
    private final Counter stayed = Metrics.counter(LabelChurn.class, STAYED_EVENTS);
    private final Counter cancelled = Metrics.counter(LabelChurn.class, CANCELLED_EVENTS);

    EmitLabelledEventsFn(
        Set<String> churnPages, PCollectionView<Map<String, Integer>> churnedUsers) {
      this.churnPages = churnPages;
      this.churnedUsers = churnedUsers;
    }

    @ProcessElement
    public void processElement(ProcessContext context) {
      KV<String, SparkifyEvent> event = context.element();
      boolean churned = context.sideInput(churnedUsers).containsKey(event.getKey());
      LabelledEvent result =
          LabelledEvent.of(
              event.getValue(), churnPages.contains(event.getValue().getPage()), churned ? 1 : 0);
      context.output(result);
      context.output(churned ? CANCELLED : STAYED, result);
      labelled.inc();
      (churned ? cancelled : stayed).inc();
    }
  }

  /** The three outputs of {@link LabelChurn}, each a {@code PCollection<LabelledEvent>}. */
  public static final class Result implements POutput {
    private final PCollectionTuple outputs;

    Result(PCollectionTuple outputs) {
      this.outputs = outputs;
    }

    /** Every event of a known user, labelled. */
    public PCollection<LabelledEvent> labelled() {
      return outputs.get(LABELLED);
    }

    /** The events of users who never churned ({@code label = 0}). */
    public PCollection<LabelledEvent> stayed() {
      return outputs.get(STAYED);
    }

    /** The events of users who churned ({@code label = 1}). */
    public PCollection<LabelledEvent> cancelled() {
      return outputs.get(CANCELLED);
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
      // The tuple's PCollections were finished by the ParDo that produced them.
    }
  }
}
