package dev.sluice.churn;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The labelling rule of the second pass over churn files, for the {@code DoFn}s that apply it: a
 * guest event or one outside the time range is skipped (the first pass counted it), every other
 * event gets {@code churn} (its page is a churn page) and {@code label} (1 when its user churned),
 * and is counted as {@link LabelChurn} counts them.
 */
final class EventLabels implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Receives each labelled event. */
  interface Sink {
    void accept(SparkifyEvent event, boolean churn, int label);
  }

  private final Set<String> churnPages;
  private final EventTimeRange range;
  private final Counter labelled = Metrics.counter(LabelChurn.class, LabelChurn.LABELLED_EVENTS);
  private final Counter stayed = Metrics.counter(LabelChurn.class, LabelChurn.STAYED_EVENTS);
  private final Counter cancelled = Metrics.counter(LabelChurn.class, LabelChurn.CANCELLED_EVENTS);

  EventLabels(Set<String> churnPages, EventTimeRange range) {
    this.churnPages = churnPages;
    this.range = range;
  }

  /**
   * Labels {@code event} by the churned users and gives it to {@code sink}; skips guests and events
   * outside the time range (the first pass counted both).
   */
  void label(SparkifyEvent event, Map<String, Integer> churnedUsers, Sink sink) {
    if (event.isGuest() || !range.contains(event.getTs())) {
      return;
    }
    boolean churned = churnedUsers.containsKey(event.getUserId());
    sink.accept(event, churnPages.contains(event.getPage()), churned ? 1 : 0);
    labelled.inc();
    (churned ? cancelled : stayed).inc();
  }
}
