package dev.sluice.churn;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FilePlan;
import dev.sluice.io.FileSplit;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.SplitReader;
import dev.sluice.movement.HeavyKeys;
import dev.sluice.movement.ShuffleCounts;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Labels the events of a Sparkify-format log read from files, in two passes over the files: {@code
 * PBegin} in, a {@code WithFailures.Result} out of a {@link LabelChurn.Result} ({@code labelled},
 * {@code stayed}, {@code cancelled}) and the {@code PCollection<DeadLetter>} of rejected records
 * and unreadable files. The outputs, counters and churn rules are {@link LabelChurn}'s applied to
 * {@code ReadRecords} with the {@link SparkifyEventDecoder}; only the plan differs.
 *
 * <p>The plan is the one Spark runs for the churn preparation, with the events read twice instead
 * of cached:
 *
 * <ol>
 *   <li>{@code ReadEvents} reads every file, routes bad records to the dead letter, skips and
 *       counts guest events, and keeps per bundle one flag per user (1 when the user has an event
 *       on a churn page): only those flags leave the step. {@code LabelUsers} ({@code Max} per
 *       user), {@code KeepChurnedUsers} and {@code ChurnedUsersView} make the churned users a side
 *       input, as Spark broadcasts the small side of its join.
 *   <li>{@code LabelEvents} takes the file list as its main input, so it starts reading only once
 *       the side input is ready, and nothing waits in memory for it: it reads the files again and
 *       labels each event as it is read. It gives no dead letter and counts no record read: the
 *       first pass did.
 * </ol>
 *
 * <p>No event is shuffled, grouped, cached or held behind the side input; memory is the churned
 * users' ids, whatever the number of events. The price is a second read of the files. Outputs are
 * in the global window.
 *
 * <pre>{@code
 * WithFailures.Result<LabelChurn.Result, DeadLetter> churn =
 *     p.apply("LabelChurn", LabelChurnFiles.of(FilePlan.list("s3://logs/sparkify/")));
 * }</pre>
 */
@AutoValue
public abstract class LabelChurnFiles
    extends PTransform<PBegin, WithFailures.Result<LabelChurn.Result, DeadLetter>> {

  /** The files to read. */
  public abstract FilePlan plan();

  /** The pages that mark churn, matched exactly. */
  public abstract SortedSet<String> churnPages();

  /** The event times kept; others are skipped and counted ({@link #withTimeRange}). */
  public abstract EventTimeRange timeRange();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setPlan(FilePlan plan);

    abstract Builder setChurnPages(SortedSet<String> pages);

    abstract Builder setTimeRange(EventTimeRange range);

    abstract LabelChurnFiles build();
  }

  /**
   * Labels the events of the files of {@code plan} by the page {@value
   * LabelChurn#DEFAULT_CHURN_PAGE}.
   */
  public static LabelChurnFiles of(FilePlan plan) {
    checkArgumentNotNull(plan, "plan must not be null");
    return new AutoValue_LabelChurnFiles.Builder()
        .setPlan(plan)
        .setChurnPages(LabelChurn.create().churnPages())
        .setTimeRange(EventTimeRange.ALL)
        .build();
  }

  /**
   * Returns a copy that labels only the events of {@code range}: an event outside is skipped on
   * purpose and counted as {@value LabelChurn#OUTSIDE_TIME_RANGE}, so each user is labelled by
   * their events in the range. Pruning whole files by the range is the plan's job ({@code
   * HivePartitionPlan#withTimeRange}).
   */
  public LabelChurnFiles withTimeRange(EventTimeRange range) {
    checkArgumentNotNull(range, "range must not be null");
    return toBuilder().setTimeRange(range).build();
  }

  /**
   * Returns a copy that treats any of {@code pages} as a churn page, as {@link
   * LabelChurn#withChurnPages} does.
   *
   * @throws IllegalArgumentException if {@code pages} is empty or holds a blank name
   */
  public LabelChurnFiles withChurnPages(Collection<String> pages) {
    return toBuilder()
        .setChurnPages(LabelChurn.create().withChurnPages(pages).churnPages())
        .build();
  }

  @Override
  public WithFailures.Result<LabelChurn.Result, DeadLetter> expand(PBegin input) {
    PCollection<FileSplit> splits =
        input.apply("ListFiles", Create.of(plan().splits()).withCoder(FileSplit.coder()));
    ChurnedUsers churned = churnedUsers(splits, churnPages(), timeRange());
    PCollectionTuple labelled =
        splits.apply(
            "LabelEvents",
            ParDo.of(new LabelEventsFn(churnPages(), timeRange(), churned.view))
                .withSideInputs(churned.view)
                .withOutputTags(
                    LabelChurn.LABELLED,
                    TupleTagList.of(LabelChurn.STAYED).and(LabelChurn.CANCELLED)));
    return WithFailures.Result.of(new LabelChurn.Result(labelled), churned.deadLetters);
  }

  /** The first pass: the churned users as a side input, and the dead letters of the read. */
  static final class ChurnedUsers {
    final PCollectionView<Map<String, Integer>> view;
    final PCollection<DeadLetter> deadLetters;

    ChurnedUsers(PCollectionView<Map<String, Integer>> view, PCollection<DeadLetter> deadLetters) {
      this.view = view;
      this.deadLetters = deadLetters;
    }
  }

  /**
   * The shuffle of the labelling, by user, as the run report names it; its heavy keys are the
   * users, counted in events by the reading step ({@code ReadEvents}).
   */
  public static final String LABEL_USERS = "LabelChurnFiles.LabelUsers";

  /** The first pass over {@code splits}: steps {@code ReadEvents} to {@code ChurnedUsersView}. */
  static ChurnedUsers churnedUsers(
      PCollection<FileSplit> splits, Set<String> churnPages, EventTimeRange range) {
    TupleTag<KV<String, Integer>> flags = new TupleTag<KV<String, Integer>>() {};
    TupleTag<DeadLetter> failures = new TupleTag<DeadLetter>() {};
    PCollectionTuple users =
        splits.apply(
            "ReadEvents",
            ParDo.of(new ReadEventsFn(churnPages, range, flags, failures))
                .withOutputTags(flags, TupleTagList.of(failures)));
    PCollectionView<Map<String, Integer>> churned =
        users
            .get(flags)
            .setCoder(LabelChurn.USER_FLAG_CODER)
            .apply("LabelUsers", Max.integersPerKey())
            .apply("KeepChurnedUsers", ParDo.of(new LabelChurn.KeepChurnedUsersFn(LABEL_USERS)))
            .apply("ChurnedUsersView", View.asMap());
    return new ChurnedUsers(churned, users.get(failures));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("files", plan().files().size()).withLabel("Files"))
        .add(DisplayData.item("bytes", plan().bytes()).withLabel("Bytes to read, twice"))
        .add(
            DisplayData.item("churnPages", String.join(", ", churnPages()))
                .withLabel("Churn pages"))
        .add(DisplayData.item("timeRange", timeRange().toString()).withLabel("Event times"));
  }

  /**
   * The first pass: each split read and validated, dead letters out, and per bundle one flag per
   * known user, 1 when one of their events is on a churn page, else 0.
   */
  static final class ReadEventsFn extends DoFn<FileSplit, KV<String, Integer>> {
    private final Set<String> churnPages;
    private final EventTimeRange range;
    private final TupleTag<KV<String, Integer>> flags;
    private final TupleTag<DeadLetter> failures;
    private final SplitReader<SparkifyEvent> reader =
        SplitReader.of(new SparkifyEventDecoder(), ReadRecords.STEP);
    private final Counter guests =
        Metrics.counter(LabelChurn.class, LabelChurn.GUEST_EVENTS_SKIPPED);
    private final Counter outside =
        Metrics.counter(LabelChurn.class, LabelChurn.OUTSIDE_TIME_RANGE);
    private final HeavyKeys heavyKeys = HeavyKeys.of(LABEL_USERS, "userId");
    private final ShuffleCounts<KV<String, Integer>> shuffled =
        ShuffleCounts.into(LABEL_USERS, LabelChurn.USER_FLAG_CODER);
    // Per user of the bundle: the churn flag and the number of events.
    private transient Map<String, int[]> users;

    ReadEventsFn(
        Set<String> churnPages,
        EventTimeRange range,
        TupleTag<KV<String, Integer>> flags,
        TupleTag<DeadLetter> failures) {
      this.churnPages = churnPages;
      this.range = range;
      this.flags = flags;
      this.failures = failures;
    }

    @StartBundle
    public void startBundle() {
      users = new HashMap<>();
    }

    @ProcessElement
    public void processElement(@Element FileSplit split, MultiOutputReceiver out) {
      reader.read(
          split,
          event -> {
            if (!range.contains(event.getTs())) {
              outside.inc();
            } else if (event.isGuest()) {
              guests.inc();
            } else {
              int[] user = users.computeIfAbsent(event.getUserId(), id -> new int[2]);
              user[0] = Math.max(user[0], churnPages.contains(event.getPage()) ? 1 : 0);
              user[1]++;
            }
          },
          out.get(failures)::output);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<String, int[]> user : users.entrySet()) {
        KV<String, Integer> flag = KV.of(user.getKey(), user.getValue()[0]);
        context.output(flags, flag, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
        shuffled.add(flag);
        heavyKeys.add(user.getKey(), user.getValue()[1]);
      }
      users = null;
      shuffled.publish();
      heavyKeys.publish();
    }
  }

  /**
   * The second pass: each split read again once the churned users are known, each event of a known
   * user labelled and output to {@code labelled} and to {@code stayed} or {@code cancelled}.
   */
  static final class LabelEventsFn extends DoFn<FileSplit, LabelledEvent> {
    private final EventLabels labels;
    private final PCollectionView<Map<String, Integer>> churnedUsers;
    private final SplitReader<SparkifyEvent> reader =
        SplitReader.of(new SparkifyEventDecoder(), ReadRecords.STEP).uncounted();

    LabelEventsFn(
        Set<String> churnPages,
        EventTimeRange range,
        PCollectionView<Map<String, Integer>> churnedUsers) {
      this.labels = new EventLabels(churnPages, range);
      this.churnedUsers = churnedUsers;
    }

    @ProcessElement
    public void processElement(ProcessContext context) {
      Map<String, Integer> churned = context.sideInput(churnedUsers);
      reader.read(
          context.element(),
          event ->
              labels.label(
                  event,
                  churned,
                  (e, churn, label) -> {
                    LabelledEvent result = LabelledEvent.of(e, churn, label);
                    context.output(result);
                    context.output(label == 1 ? LabelChurn.CANCELLED : LabelChurn.STAYED, result);
                  }),
          letter -> {});
    }
  }
}
