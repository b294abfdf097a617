package dev.sluice.churn;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
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
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Labels the events of a Sparkify-format log with churn: {@code PCollection<SparkifyEvent>} in, a
 * {@link Result} out with three {@code PCollection<LabelledEvent>}s: {@code labelled} (every event of
 * a known user), {@code stayed} (the events of users who never churned) and {@code cancelled} (the
 * events of users who churned).
 *
 * <p>Semantics are those of the Sparkify churn preparation (Udacity's Data Scientist capstone, in its
 * refactored DataFrame form: filter early, a boolean churn column, a join instead of collected
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
 * <p>It scales with the data, not with users: the per-user label is a {@code Max} {@code CombineFn}
 * (combined before the shuffle), joined back to the events with a {@code CoGroupByKey} whose events
 * are streamed out one at a time; nothing is collected to the driver, no side input holds users, and
 * no list of a user's events is built. Outputs are in the global window (windowing of the input is
 * not used) and have the {@code SchemaCoder} of {@link LabelledEvent}. Empty input gives three empty
 * outputs. Counters ({@value #LABELLED_EVENTS}, {@value #STAYED_EVENTS}, {@value
 * #CANCELLED_EVENTS}, {@value #CHURNED_USERS}, {@value #STAYED_USERS}) are in this class's
 * namespace.
 *
 * <pre>{@code
 * LabelChurn.Result churn = events.apply("LabelChurn", LabelChurn.create());
 * churn.cancelled().apply(...);
 * }</pre>
 */
public final class LabelChurn extends PTransform<PCollection<SparkifyEvent>, LabelChurn.Result> {

  /** The page that marks churn in Sparkify logs. */
  public static final String DEFAULT_CHURN_PAGE = "Cancellation Confirmation";

  /** Counter of guest events (empty user id) skipped. */
  public static final String GUEST_EVENTS_SKIPPED = "guest_events_skipped";
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

  private static final TupleTag<SparkifyEvent> EVENTS = new TupleTag<>() {};
  private static final TupleTag<Integer> LABELS = new TupleTag<>() {};
  private static final TupleTag<LabelledEvent> LABELLED = new TupleTag<>() {};
  private static final TupleTag<LabelledEvent> STAYED = new TupleTag<>() {};
  private static final TupleTag<LabelledEvent> CANCELLED = new TupleTag<>() {};

  private final Set<String> churnPages;

  private LabelChurn(Set<String> churnPages) {
    this.churnPages = churnPages;
  }

  /** Labels churn by the page {@value #DEFAULT_CHURN_PAGE}. */
  public static LabelChurn create() {
    return new LabelChurn(Set.of(DEFAULT_CHURN_PAGE));
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
    return new LabelChurn(Set.copyOf(new TreeSet<>(pages)));
  }

  /** The churn pages, sorted. */
  public Set<String> churnPages() {
    return new TreeSet<>(churnPages);
  }

  @Override
  public Result expand(PCollection<SparkifyEvent> events) {
    PCollection<KV<String, SparkifyEvent>> byUser =
        events
            .apply("SkipGuestEvents", ParDo.of(new KeyByKnownUserFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), events.getCoder()));
    PCollection<KV<String, Integer>> labels =
        byUser
            .apply("FlagChurnEvents", ParDo.of(new ChurnFlagFn(churnPages)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))
            .apply("LabelUsers", Max.integersPerKey());
    PCollectionTuple outputs =
        KeyedPCollectionTuple.of(EVENTS, byUser)
            .and(LABELS, labels)
            .apply("JoinLabels", CoGroupByKey.create())
            .apply(
                "EmitLabelledEvents",
                ParDo.of(new EmitLabelledEventsFn(churnPages))
                    .withOutputTags(LABELLED, TupleTagList.of(STAYED).and(CANCELLED)));
    return new Result(outputs);
  }

  /** Drops guest events (counted) and keys the others by user id. */
  static final class KeyByKnownUserFn extends DoFn<SparkifyEvent, KV<String, SparkifyEvent>> {
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
  static final class ChurnFlagFn extends DoFn<KV<String, SparkifyEvent>, KV<String, Integer>> {
    private final Set<String> churnPages;

    ChurnFlagFn(Set<String> churnPages) {
      this.churnPages = churnPages;
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, SparkifyEvent> event, OutputReceiver<KV<String, Integer>> out) {
      out.output(KV.of(event.getKey(), churnPages.contains(event.getValue().getPage()) ? 1 : 0));
    }
  }

  /** Streams one user's events out with their labels, to labelled and to stayed or cancelled. */
  static final class EmitLabelledEventsFn extends DoFn<KV<String, CoGbkResult>, LabelledEvent> {
    private final Set<String> churnPages;
    private final Counter labelled = Metrics.counter(LabelChurn.class, LABELLED_EVENTS);
    private final Counter stayed = Metrics.counter(LabelChurn.class, STAYED_EVENTS);
    private final Counter cancelled = Metrics.counter(LabelChurn.class, CANCELLED_EVENTS);
    private final Counter churnedUsers = Metrics.counter(LabelChurn.class, CHURNED_USERS);
    private final Counter stayedUsers = Metrics.counter(LabelChurn.class, STAYED_USERS);

    EmitLabelledEventsFn(Set<String> churnPages) {
      this.churnPages = churnPages;
    }

    @ProcessElement
    public void processElement(@Element KV<String, CoGbkResult> user, MultiOutputReceiver out) {
      int label = user.getValue().getOnly(LABELS);
      TupleTag<LabelledEvent> byLabel = label == 1 ? CANCELLED : STAYED;
      Counter byLabelEvents = label == 1 ? cancelled : stayed;
      (label == 1 ? churnedUsers : stayedUsers).inc();
      for (SparkifyEvent event : user.getValue().getAll(EVENTS)) {
        LabelledEvent result = LabelledEvent.of(event, churnPages.contains(event.getPage()), label);
        out.get(LABELLED).output(result);
        out.get(byLabel).output(result);
        labelled.inc();
        byLabelEvents.inc();
      }
    }
  }

  /** The three outputs of {@link LabelChurn}, each a {@code PCollection<LabelledEvent>}. */
  public static final class Result implements POutput {
    private final PCollectionTuple outputs;

    private Result(PCollectionTuple outputs) {
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
