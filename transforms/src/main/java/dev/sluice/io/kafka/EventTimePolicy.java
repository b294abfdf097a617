package dev.sluice.io.kafka;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * A {@code KafkaIO} timestamp policy for one partition: each record's timestamp is its event time
 * as {@code eventTime} reads it from the record (not the broker's), and the watermark trails the
 * largest event time seen by a bound on out-of-orderness, as Flink's {@code
 * BoundedOutOfOrdernessWatermarks} and Beam's {@code CustomTimestampPolicyWithLimitedDelay} do.
 *
 * <ul>
 *   <li><b>Records.</b> A record's timestamp is {@code eventTime(record)}; when that is null (a
 *       record that cannot be read, bound for a dead letter) it is the current watermark, so the
 *       record is never late and never moves the watermark.
 *   <li><b>Watermark.</b> {@code max event time − maxOutOfOrderness}, never moving back. A
 *       partition that has had no record yet follows the largest watermark of the run's other
 *       partitions in this JVM, so that an empty partition does not hold them back (its first
 *       records may then be late); while no partition has had a record, it is the start of time.
 *   <li><b>Idle partitions.</b> When the partition has no backlog, its watermark moves on with
 *       processing time: {@code max event time − maxOutOfOrderness + time since the last record}.
 *       So the last window of a quiet stream closes, while a stream replayed faster than real time
 *       never sees its own views made late.
 *   <li><b>End.</b> The watermark becomes the end of time ({@code
 *       BoundedWindow.TIMESTAMP_MAX_VALUE}), which closes every open window and ends the read on
 *       the DirectRunner and the FlinkRunner, once the partition has no backlog and no partition of
 *       the run in this JVM has had a record for {@code stopAfterIdle} (when set; a runner busy
 *       downstream may not ask for records for a while, so a backlog means not idle), or once
 *       {@link #drain()} was called in this JVM (a Ctrl-C of an embedded run).
 * </ul>
 *
 * <p>Each partition's watermark is reported as a Beam gauge, {@value #WATERMARK_GAUGE_PREFIX}
 * followed by the partition ({@code topic-0}), in epoch milliseconds UTC; the pipeline's source
 * watermark is the smallest of them. Runners that ask a source for its watermark outside any step
 * (the FlinkRunner) get no gauge; Flink's web UI shows each operator's watermark.
 *
 * @param <K> the record key type
 * @param <V> the record value type
 */
public final class EventTimePolicy<K, V> extends TimestampPolicy<K, V> {

  /** Prefix of the per-partition watermark gauges, in the namespace of this class. */
  public static final String WATERMARK_GAUGE_PREFIX = "watermark_";

  private static final AtomicBoolean DRAIN = new AtomicBoolean(false);

  /** The clocks of the runs whose policies live in this JVM, by the id of their factory. */
  private static final Map<String, RunClock> RUNS = new ConcurrentHashMap<>();

  /** What the partitions of one run share in a JVM: their last record and largest watermark. */
  private static final class RunClock {
    final AtomicLong lastRecordMillis = new AtomicLong(System.currentTimeMillis());
    final AtomicLong largestWatermark =
        new AtomicLong(BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());
  }

  private final SerializableFunction<KafkaRecord<K, V>, @Nullable Instant> eventTime;
  private final Duration maxOutOfOrderness;
  private final @Nullable Duration stopAfterIdle;
  private final RunClock run;
  private final Gauge watermarkGauge;
  private Instant maxEventTime;
  private Instant watermark;
  private long lastRecordMillis;

  EventTimePolicy(
      String runId,
      TopicPartition partition,
      SerializableFunction<KafkaRecord<K, V>, @Nullable Instant> eventTime,
      Duration maxOutOfOrderness,
      @Nullable Duration stopAfterIdle,
      Optional<Instant> previousWatermark) {
    this.run = RUNS.computeIfAbsent(runId, id -> new RunClock());
    this.eventTime = eventTime;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.stopAfterIdle = stopAfterIdle;
    this.watermark = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE);
    this.maxEventTime =
        previousWatermark.isPresent()
            ? previousWatermark.get().plus(maxOutOfOrderness)
            : BoundedWindow.TIMESTAMP_MIN_VALUE;
    this.lastRecordMillis = System.currentTimeMillis();
    this.watermarkGauge =
        Metrics.gauge(EventTimePolicy.class, WATERMARK_GAUGE_PREFIX + partition.toString());
  }

  /**
   * A factory of these policies, one per partition, for {@code
   * KafkaIO.Read#withTimestampPolicyFactory}. The policies of one factory are one run: they share
   * the idle clock and the largest watermark in each JVM.
   *
   * @param <K> the record key type
   * @param <V> the record value type
   * @param eventTime reads a record's event time; returns null for a record it cannot read
   * @param maxOutOfOrderness how far behind the largest event time seen the watermark trails
   * @param stopAfterIdle end the read after this long without a record, or null to read until
   *     stopped
   * @return the factory
   * @throws IllegalArgumentException if {@code maxOutOfOrderness} is negative or {@code
   *     stopAfterIdle} not positive
   */
  public static <K, V> TimestampPolicyFactory<K, V> factory(
      SerializableFunction<KafkaRecord<K, V>, @Nullable Instant> eventTime,
      Duration maxOutOfOrderness,
      @Nullable Duration stopAfterIdle) {
    checkArgumentNotNull(eventTime, "eventTime must not be null");
    checkArgumentNotNull(maxOutOfOrderness, "maxOutOfOrderness must not be null");
    if (maxOutOfOrderness.getMillis() < 0) {
      throw new IllegalArgumentException(
          "maxOutOfOrderness must be >= 0, got " + maxOutOfOrderness);
    }
    if (stopAfterIdle != null && stopAfterIdle.getMillis() <= 0) {
      throw new IllegalArgumentException("stopAfterIdle must be > 0, got " + stopAfterIdle);
    }
    String runId = UUID.randomUUID().toString();
    return (partition, previous) ->
        new EventTimePolicy<>(
            runId, partition, eventTime, maxOutOfOrderness, stopAfterIdle, previous);
  }

  /**
   * Ends every read of this JVM's policies: their watermarks become the end of time, so every open
   * window is emitted and the pipeline finishes. For a Ctrl-C of a pipeline that runs in this JVM
   * (the DirectRunner, the embedded FlinkRunner); a cluster job is drained by its runner.
   */
  public static void drain() {
    DRAIN.set(true);
  }

  /** Undoes {@link #drain()}, for the next pipeline of this JVM. */
  public static void resetDrain() {
    DRAIN.set(false);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext context, KafkaRecord<K, V> record) {
    lastRecordMillis = System.currentTimeMillis();
    run.lastRecordMillis.set(lastRecordMillis);
    Instant time = eventTime.apply(record);
    if (time == null) {
      return watermark;
    }
    if (time.isAfter(maxEventTime)) {
      maxEventTime = time;
    }
    return time;
  }

  @Override
  public Instant getWatermark(PartitionContext context) {
    long now = System.currentTimeMillis();
    long idleMillis = now - lastRecordMillis;
    long runIdleMillis = now - run.lastRecordMillis.get();
    boolean caughtUp = context.getMessageBacklog() == 0;
    if (DRAIN.get()
        || (stopAfterIdle != null && caughtUp && runIdleMillis >= stopAfterIdle.getMillis())) {
      watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
    } else if (maxEventTime.isAfter(BoundedWindow.TIMESTAMP_MIN_VALUE)) {
      Instant bounded = maxEventTime.minus(maxOutOfOrderness);
      if (caughtUp && idleMillis > 0) {
        bounded = bounded.plus(Duration.millis(idleMillis));
      }
      if (bounded.isAfter(watermark)) {
        watermark =
            bounded.isAfter(BoundedWindow.TIMESTAMP_MAX_VALUE)
                ? BoundedWindow.TIMESTAMP_MAX_VALUE
                : bounded;
      }
      run.largestWatermark.accumulateAndGet(watermark.getMillis(), Math::max);
    } else {
      // No record yet: follow the run's other partitions instead of holding them back.
      Instant others = Instant.ofEpochMilli(run.largestWatermark.get());
      if (others.isAfter(watermark)) {
        watermark = others;
      }
    }
    if (MetricsEnvironment.getCurrentContainer() != null) {
      // Runners that ask for the watermark outside a step (the FlinkRunner's source reader) have
      // no container to report to.
      watermarkGauge.set(watermark.getMillis());
    }
    return watermark;
  }
}
