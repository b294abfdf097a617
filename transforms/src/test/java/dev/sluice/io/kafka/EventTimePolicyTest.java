package dev.sluice.io.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class EventTimePolicyTest {

  private static final Instant T = Instant.parse("2017-09-17T10:00:00Z");
  private static final Duration MINUTE = Duration.standardMinutes(1);

  /** A record whose value is its event time in epoch milliseconds, or "bad". */
  private static KafkaRecord<byte[], byte[]> record(String value) {
    return new KafkaRecord<>(
        "views",
        0,
        0,
        0,
        KafkaTimestampType.CREATE_TIME,
        null,
        null,
        value.getBytes(StandardCharsets.UTF_8));
  }

  private static TimestampPolicyFactory<byte[], byte[]> factory(Duration stopAfterIdle) {
    return EventTimePolicy.factory(
        r -> {
          String text = new String(r.getKV().getValue(), StandardCharsets.UTF_8);
          return text.equals("bad") ? null : Instant.ofEpochMilli(Long.parseLong(text));
        },
        MINUTE,
        stopAfterIdle);
  }

  private static TimestampPolicy<byte[], byte[]> policy(Duration stopAfterIdle) {
    return factory(stopAfterIdle)
        .createTimestampPolicy(new TopicPartition("views", 0), Optional.empty());
  }

  /** A partition context with a fixed backlog. */
  private static TimestampPolicy.PartitionContext backlog(long messages) {
    return new TimestampPolicy.PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return messages;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return Instant.now();
      }
    };
  }

  private static String at(Instant time) {
    return String.valueOf(time.getMillis());
  }

  @After
  public void undoDrain() {
    EventTimePolicy.resetDrain();
  }

  @Test
  public void recordsKeepTheirEventTimeAndTheWatermarkTrailsTheLargestByTheBound() {
    TimestampPolicy<byte[], byte[]> policy = policy(null);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.getWatermark(backlog(5)));
    assertEquals(T, policy.getTimestampForRecord(backlog(5), record(at(T))));
    Instant earlier = T.minus(Duration.standardSeconds(30));
    assertEquals(earlier, policy.getTimestampForRecord(backlog(5), record(at(earlier))));
    assertEquals(T.minus(MINUTE), policy.getWatermark(backlog(5)));
    Instant later = T.plus(Duration.standardMinutes(10));
    policy.getTimestampForRecord(backlog(5), record(at(later)));
    assertEquals(later.minus(MINUTE), policy.getWatermark(backlog(5)));
  }

  @Test
  public void anUnreadableRecordTakesTheWatermarkAndDoesNotMoveIt() {
    TimestampPolicy<byte[], byte[]> policy = policy(null);
    policy.getTimestampForRecord(backlog(5), record(at(T)));
    Instant watermark = policy.getWatermark(backlog(5));
    assertEquals(watermark, policy.getTimestampForRecord(backlog(5), record("bad")));
    assertEquals(watermark, policy.getWatermark(backlog(5)));
  }

  @Test
  public void theWatermarkNeverMovesBack() {
    TimestampPolicy<byte[], byte[]> policy = policy(null);
    policy.getTimestampForRecord(backlog(5), record(at(T)));
    Instant first = policy.getWatermark(backlog(5));
    policy.getTimestampForRecord(backlog(5), record(at(T.minus(Duration.standardHours(2)))));
    assertEquals(first, policy.getWatermark(backlog(5)));
  }

  @Test
  public void anIdlePartitionAdvancesWithProcessingTime() throws Exception {
    TimestampPolicy<byte[], byte[]> policy = policy(null);
    policy.getTimestampForRecord(backlog(0), record(at(T)));
    Thread.sleep(50);
    Instant busy = policy.getWatermark(backlog(3));
    assertEquals(T.minus(MINUTE), busy);
    Instant idle = policy.getWatermark(backlog(0));
    assertTrue(idle + " after " + busy, idle.isAfter(busy.plus(Duration.millis(40))));
  }

  @Test
  public void anEmptyPartitionFollowsTheRunsOtherPartitions() {
    TimestampPolicyFactory<byte[], byte[]> run = factory(null);
    TimestampPolicy<byte[], byte[]> busy =
        run.createTimestampPolicy(new TopicPartition("views", 0), Optional.empty());
    TimestampPolicy<byte[], byte[]> empty =
        run.createTimestampPolicy(new TopicPartition("views", 1), Optional.empty());
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, empty.getWatermark(backlog(0)));
    busy.getTimestampForRecord(backlog(5), record(at(T)));
    assertEquals(T.minus(MINUTE), busy.getWatermark(backlog(5)));
    assertEquals(T.minus(MINUTE), empty.getWatermark(backlog(0)));
    // Another run's partitions are not followed.
    TimestampPolicy<byte[], byte[]> otherRun = policy(null);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, otherRun.getWatermark(backlog(0)));
  }

  @Test
  public void aRestoredPolicyStartsFromThePreviousWatermark() {
    TimestampPolicy<byte[], byte[]> policy =
        factory(null).createTimestampPolicy(new TopicPartition("views", 0), Optional.of(T));
    assertEquals(T, policy.getWatermark(backlog(5)));
  }

  @Test
  public void idleForStopAfterIdleEndsTime() throws Exception {
    TimestampPolicy<byte[], byte[]> policy = policy(Duration.standardSeconds(1));
    policy.getTimestampForRecord(backlog(0), record(at(T)));
    assertEquals(T.minus(MINUTE), policy.getWatermark(backlog(5)));
    Thread.sleep(1_200);
    // Records still waiting in the partition: a runner busy downstream, not an idle stream.
    assertTrue(policy.getWatermark(backlog(7)).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, policy.getWatermark(backlog(0)));
  }

  @Test
  public void aPartitionIsNotIdleWhileAnotherOfItsRunGetsRecords() throws Exception {
    TimestampPolicyFactory<byte[], byte[]> run = factory(Duration.standardSeconds(1));
    TimestampPolicy<byte[], byte[]> quiet =
        run.createTimestampPolicy(new TopicPartition("views", 0), Optional.empty());
    TimestampPolicy<byte[], byte[]> busy =
        run.createTimestampPolicy(new TopicPartition("views", 1), Optional.empty());
    quiet.getTimestampForRecord(backlog(5), record(at(T)));
    for (int i = 1; i <= 6; i++) {
      Thread.sleep(250);
      busy.getTimestampForRecord(backlog(5), record(at(T.plus(Duration.standardSeconds(i)))));
    }
    assertTrue(quiet.getWatermark(backlog(5)).isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE));
  }

  @Test
  public void drainEndsTimeForEveryPolicy() {
    TimestampPolicy<byte[], byte[]> policy = policy(null);
    policy.getTimestampForRecord(backlog(5), record(at(T)));
    EventTimePolicy.drain();
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, policy.getWatermark(backlog(5)));
  }

  @Test
  public void rejectsANegativeBoundAndANonPositiveIdle() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EventTimePolicy.factory(r -> null, Duration.millis(-1), null));
    assertThrows(
        IllegalArgumentException.class,
        () -> EventTimePolicy.factory(r -> null, MINUTE, Duration.ZERO));
  }
}
