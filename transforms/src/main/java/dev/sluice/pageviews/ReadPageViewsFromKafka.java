package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.InvalidRecordException;
import dev.sluice.io.RowDecoder;
import dev.sluice.io.StrictUtf8;
import dev.sluice.io.kafka.EventTimePolicy;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * Reads page views from a Kafka topic: {@code PBegin} in, a {@code WithFailures.Result} out of an
 * unbounded {@code PCollection<PageView>} timestamped with each view's {@code ts}, and {@code
 * PCollection<DeadLetter>}.
 *
 * <p>Each message value is one JSON object with the fields of the JSON-lines input ({@code
 * customer}, {@code url}, {@code referrer}, {@code session_id}, {@code ts} as ISO-8601 in UTC or
 * epoch milliseconds), decoded by the same {@link RowDecoder} and checked as {@link ToPageViews}
 * checks rows; the key is ignored. Read through Beam's {@code KafkaIO} from the earliest offset
 * unless the consumer group ({@link #withConsumerGroup}) has committed one; with a group, offsets
 * are committed when the runner finalizes a checkpoint.
 *
 * <p>Event time and watermark come from {@link EventTimePolicy}: the watermark trails the largest
 * {@code ts} seen by {@link #withMaxOutOfOrderness} (default {@link
 * #DEFAULT_MAX_OUT_OF_ORDERNESS}), advances on idle partitions, and reaches the end of time after
 * {@link #withStopAfterIdle} without a record or on {@link EventTimePolicy#drain()}.
 *
 * <p>Dead letters, counted as {@value #BAD_RECORDS} or {@value #INVALID_PAGE_VIEWS}: a value that
 * is empty, not UTF-8, not a JSON object or has a field of the wrong type ({@code bad_records}), or
 * lacks {@code ts}, {@code customer}, {@code url} or {@code session_id} ({@code
 * invalid_page_views}), or whose {@code ts} is before 1970 or more than {@link #MAX_CLOCK_SKEW}
 * ahead of the clock ({@code bad_records}, "ts out of range"). The dead letter's source is {@code
 * kafka:TOPIC-PARTITION@OFFSET}, its payload the original value (as UTF-8, or {@code base64:} and
 * the bytes when it is not UTF-8). Every message is counted as {@value #RECORDS_READ}: {@code
 * records_read = page_views + invalid_page_views + bad_records}.
 */
@AutoValue
public abstract class ReadPageViewsFromKafka
    extends PTransform<PBegin, WithFailures.Result<PCollection<PageView>, DeadLetter>> {

  /** One minute. */
  public static final Duration DEFAULT_MAX_OUT_OF_ORDERNESS = Duration.standardMinutes(1);

  /** How far ahead of this machine's clock a view's {@code ts} may be: one day. */
  public static final Duration MAX_CLOCK_SKEW = Duration.standardDays(1);

  /** Step name written into dead letters. */
  public static final String STEP = "ReadPageViewsFromKafka";

  /** Counter of messages read. */
  public static final String RECORDS_READ = "records_read";

  /** Counter of messages that are not a JSON object of the right types. */
  public static final String BAD_RECORDS = "bad_records";

  /** Counter of messages without a required field. */
  public static final String INVALID_PAGE_VIEWS = ToPageViews.INVALID_PAGE_VIEWS;

  /** Counter of valid page views. */
  public static final String PAGE_VIEWS = ToPageViews.PAGE_VIEWS;

  /** Counter of messages read again after a restore and dropped (not counted as read). */
  public static final String REPLAYED_MESSAGES_DROPPED = "replayed_messages_dropped";

  private static final RowDecoder ROWS = RowDecoder.of(ToPageViews.COLUMNS, STEP);
  private static final RowDecoder TS =
      RowDecoder.of(
          Schema.builder().addNullableField("ts", Schema.FieldType.DATETIME).build(), STEP);
  private static final TupleTag<PageView> VIEWS = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  /** Bootstrap servers, {@code host:port[,host:port...]}. */
  public abstract String bootstrapServers();

  /** The topic. */
  public abstract String topic();

  /** How far the watermark trails the largest {@code ts} seen. */
  public abstract Duration maxOutOfOrderness();

  /** End the read after this long without a message, or null to read until stopped. */
  public abstract @Nullable Duration stopAfterIdle();

  /** The consumer group, or null for none (then no offsets are committed). */
  public abstract @Nullable String consumerGroup();

  /** Whether messages read again after a restore are dropped. */
  public abstract boolean dropReplayedMessages();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setBootstrapServers(String servers);

    abstract Builder setTopic(String topic);

    abstract Builder setMaxOutOfOrderness(Duration bound);

    abstract Builder setStopAfterIdle(@Nullable Duration idle);

    abstract Builder setConsumerGroup(@Nullable String group);

    abstract Builder setDropReplayedMessages(boolean drop);

    abstract ReadPageViewsFromKafka build();
  }

  /**
   * Reads {@code topic} from the brokers at {@code bootstrapServers}, with a one-minute bound on
   * out-of-orderness, until stopped.
   *
   * @throws IllegalArgumentException if either is blank
   */
  public static ReadPageViewsFromKafka from(String bootstrapServers, String topic) {
    checkArgumentNotNull(bootstrapServers, "bootstrapServers must not be null");
    checkArgumentNotNull(topic, "topic must not be null");
    if (bootstrapServers.isBlank() || topic.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers and topic must not be blank");
    }
    return new AutoValue_ReadPageViewsFromKafka.Builder()
        .setBootstrapServers(bootstrapServers)
        .setTopic(topic)
        .setMaxOutOfOrderness(DEFAULT_MAX_OUT_OF_ORDERNESS)
        .setDropReplayedMessages(false)
        .build();
  }

  /**
   * Returns a copy whose watermark trails the largest {@code ts} seen by {@code bound}.
   *
   * @throws IllegalArgumentException if {@code bound} is negative
   */
  public ReadPageViewsFromKafka withMaxOutOfOrderness(Duration bound) {
    return checked(toBuilder().setMaxOutOfOrderness(bound).build());
  }

  /**
   * Returns a copy that ends the read, emitting every open window, after {@code idle} without a
   * message.
   *
   * @throws IllegalArgumentException if {@code idle} is not positive
   */
  public ReadPageViewsFromKafka withStopAfterIdle(Duration idle) {
    return checked(toBuilder().setStopAfterIdle(idle).build());
  }

  /**
   * Returns a copy that reads as consumer group {@code group}: it starts from the group's committed
   * offsets and commits the offsets of each finalized checkpoint.
   */
  public ReadPageViewsFromKafka withConsumerGroup(String group) {
    checkArgumentNotNull(group, "group must not be null");
    return toBuilder().setConsumerGroup(group).build();
  }

  /**
   * Returns a copy that reads each message once even when the runner reads a partition twice:
   * messages are keyed by partition and a stateful step keeps, in checkpointed state, the highest
   * offset passed on; a message at or below it is dropped and counted as {@value
   * #REPLAYED_MESSAGES_DROPPED}. Beam 2.62's FlinkRunner needs it when a job is restored from a
   * checkpoint or savepoint: its split enumerator splits the source again on restore and assigns
   * fresh splits, read from the earliest offset, beside the restored ones (apache/beam#31313, fixed
   * in later releases). It is correct because a partition's reader emits offsets in order, and the
   * state and the reader's position are taken in the same consistent checkpoint.
   */
  public ReadPageViewsFromKafka withReplayedMessagesDropped() {
    return toBuilder().setDropReplayedMessages(true).build();
  }

  /** {@code read}, once its event-time policy accepts its durations. */
  private static ReadPageViewsFromKafka checked(ReadPageViewsFromKafka read) {
    read.timestampPolicy();
    return read;
  }

  /** The event-time policy of the read. */
  private TimestampPolicyFactory<byte[], byte[]> timestampPolicy() {
    return EventTimePolicy.factory(
        record -> eventTime(record.getKV().getValue()), maxOutOfOrderness(), stopAfterIdle());
  }

  /**
   * The event time of a message value, or null when it is not UTF-8 JSON with a {@code ts} in range
   * ({@link #outOfRange}): such a message is a dead letter and must not move the watermark.
   */
  static @Nullable Instant eventTime(byte @Nullable [] value) {
    String text = value == null ? null : utf8(value);
    if (text == null) {
      return null;
    }
    try {
      Row row = TS.fromJson(text);
      ReadableInstant ts = row.getDateTime("ts");
      return ts == null || outOfRange(ts.getMillis()) ? null : ts.toInstant();
    } catch (InvalidRecordException e) {
      return null;
    }
  }

  /**
   * True for a {@code ts} no page view can have: before 1970 or more than {@link #MAX_CLOCK_SKEW}
   * ahead of this machine's clock. One such view would otherwise move the watermark past every
   * window still open (or to the end of time) and make all later views late.
   */
  static boolean outOfRange(long tsMillis) {
    return tsMillis < 0 || tsMillis > System.currentTimeMillis() + MAX_CLOCK_SKEW.getMillis();
  }

  /** The text of UTF-8 bytes, or null when they are not valid UTF-8. */
  static @Nullable String utf8(byte[] bytes) {
    return StrictUtf8.decode(bytes, 0, bytes.length);
  }

  @Override
  public WithFailures.Result<PCollection<PageView>, DeadLetter> expand(PBegin begin) {
    Map<String, Object> consumer = new HashMap<>();
    consumer.put("auto.offset.reset", "earliest");
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.readBytes()
            .withBootstrapServers(bootstrapServers())
            .withTopic(topic())
            .withTimestampPolicyFactory(timestampPolicy());
    if (consumerGroup() != null) {
      consumer.put("group.id", consumerGroup());
      read = read.commitOffsetsInFinalize();
    }
    PCollection<KafkaRecord<byte[], byte[]>> messages =
        begin.apply("ReadMessages", read.withConsumerConfigUpdates(consumer));
    if (dropReplayedMessages()) {
      messages =
          messages
              .apply(
                  "KeyByPartition",
                  WithKeys.<String, KafkaRecord<byte[], byte[]>>of(
                          record -> record.getTopic() + "-" + record.getPartition())
                      .withKeyType(TypeDescriptors.strings()))
              .apply("DropReplayedMessages", ParDo.of(new DropReplayedMessagesFn()))
              .setCoder(messages.getCoder());
    }
    return parse(messages);
  }

  /** Decodes and checks messages already read: the second half of {@link #expand}. */
  static WithFailures.Result<PCollection<PageView>, DeadLetter> parse(
      PCollection<KafkaRecord<byte[], byte[]>> messages) {
    PCollectionTuple parsed =
        messages.apply(
            "ParsePageViews",
            ParDo.of(new ParsePageViewsFn()).withOutputTags(VIEWS, TupleTagList.of(FAILURES)));
    return WithFailures.Result.of(parsed.get(VIEWS), parsed.get(FAILURES));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("bootstrapServers", bootstrapServers()).withLabel("Brokers"))
        .add(DisplayData.item("topic", topic()).withLabel("Topic"))
        .add(
            DisplayData.item("maxOutOfOrderness", maxOutOfOrderness())
                .withLabel("Watermark trails the largest ts by"))
        .addIfNotNull(
            DisplayData.item("stopAfterIdle", stopAfterIdle()).withLabel("Stop after idle"))
        .addIfNotNull(
            DisplayData.item("consumerGroup", consumerGroup()).withLabel("Consumer group"))
        .add(
            DisplayData.item("dropReplayedMessages", dropReplayedMessages())
                .withLabel("Drop messages read again after a restore"));
  }

  /** Passes on each partition's messages above the highest offset already passed on. */
  static final class DropReplayedMessagesFn
      extends DoFn<KV<String, KafkaRecord<byte[], byte[]>>, KafkaRecord<byte[], byte[]>> {
    private final Counter dropped =
        Metrics.counter(ReadPageViewsFromKafka.class, REPLAYED_MESSAGES_DROPPED);

    @StateId("highestOffset")
    private final StateSpec<ValueState<Long>> highestOffset = StateSpecs.value(VarLongCoder.of());

    @ProcessElement
    public void processElement(
        @Element KV<String, KafkaRecord<byte[], byte[]>> message,
        @StateId("highestOffset") ValueState<Long> highest,
        OutputReceiver<KafkaRecord<byte[], byte[]>> out) {
      long offset = message.getValue().getOffset();
      Long seen = highest.read();
      if (seen != null && offset <= seen) {
        dropped.inc();
        return;
      }
      highest.write(offset);
      out.output(message.getValue());
    }
  }

  /** Decodes and checks one message. */
  static final class ParsePageViewsFn extends DoFn<KafkaRecord<byte[], byte[]>, PageView> {
    private final Counter read = Metrics.counter(ReadPageViewsFromKafka.class, RECORDS_READ);
    private final Counter bad = Metrics.counter(ReadPageViewsFromKafka.class, BAD_RECORDS);
    private final Counter invalid =
        Metrics.counter(ReadPageViewsFromKafka.class, INVALID_PAGE_VIEWS);
    private final Counter valid = Metrics.counter(ReadPageViewsFromKafka.class, PAGE_VIEWS);

    @ProcessElement
    public void processElement(
        @Element KafkaRecord<byte[], byte[]> record, MultiOutputReceiver out) {
      read.inc();
      String source =
          "kafka:" + record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset();
      byte[] value = record.getKV().getValue();
      if (value == null || value.length == 0) {
        bad.inc();
        out.get(FAILURES).output(DeadLetter.of(source, STEP, "empty message", ""));
        return;
      }
      String text = utf8(value);
      if (text == null) {
        bad.inc();
        out.get(FAILURES)
            .output(
                DeadLetter.of(
                    source,
                    STEP,
                    "not UTF-8",
                    "base64:" + Base64.getEncoder().encodeToString(value)));
        return;
      }
      Row row;
      try {
        row = ROWS.fromJson(text);
      } catch (InvalidRecordException e) {
        bad.inc();
        out.get(FAILURES).output(DeadLetter.of(source, STEP, e.getMessage(), text));
        return;
      }
      String missing = ToPageViews.missingField(row);
      if (missing != null) {
        invalid.inc();
        out.get(FAILURES).output(DeadLetter.of(source, STEP, "null " + missing, text));
        return;
      }
      long ts = row.getDateTime("ts").getMillis();
      if (outOfRange(ts)) {
        bad.inc();
        out.get(FAILURES)
            .output(
                DeadLetter.of(source, STEP, "ts out of range: " + Instant.ofEpochMilli(ts), text));
        return;
      }
      valid.inc();
      out.get(VIEWS).output(ToPageViews.toPageView(row));
    }
  }
}
