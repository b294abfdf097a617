package dev.sluice.pageviews;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.testing.Counters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecordCoder;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class ReadPageViewsFromKafkaTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final String STEP = ReadPageViewsFromKafka.STEP;

  private static KafkaRecord<byte[], byte[]> message(long offset, byte[] value) {
    return new KafkaRecord<>(
        "views", 2, offset, 0, KafkaTimestampType.CREATE_TIME, null, null, value);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  public void everyMessageIsAViewOrADeadLetterWithItsOriginalBytes() {
    List<KafkaRecord<byte[], byte[]>> messages = new ArrayList<>();
    messages.add(
        message(
            0,
            utf8(
                "{\"customer\": \"a.com\", \"url\": \"http://a.com/\", \"referrer\": null,"
                    + " \"session_id\": \"s1\", \"ts\": \"2017-09-17T10:00:00Z\"}")));
    messages.add(
        message(
            1,
            utf8(
                "{\"customer\": \"a.com\", \"url\": \"http://a.com/\", \"referrer\": \"r\","
                    + " \"session_id\": \"s2\", \"ts\": 1505642400000, \"extra\": 1}")));
    messages.add(message(2, utf8("not json")));
    messages.add(message(3, utf8("{\"customer\": \"a.com\", \"url\": 3, \"session_id\": \"s\"}")));
    messages.add(message(4, utf8("{\"customer\": \"a.com\", \"url\": \"u\", \"ts\": 0}")));
    messages.add(message(5, new byte[] {(byte) 0xFF, 'x'}));
    messages.add(message(6, new byte[0]));
    messages.add(message(7, null));
    messages.add(
        message(
            8,
            utf8("{\"customer\": \"a.com\", \"url\": \"u\", \"session_id\": \"s\", \"ts\": -1}")));

    PCollection<KafkaRecord<byte[], byte[]>> input =
        p.apply(
            Create.of(messages)
                .withCoder(
                    KafkaRecordCoder.of(
                        NullableCoder.of(ByteArrayCoder.of()),
                        NullableCoder.of(ByteArrayCoder.of()))));
    WithFailures.Result<PCollection<PageView>, DeadLetter> parsed =
        ReadPageViewsFromKafka.parse(input);

    long ten = Instant.parse("2017-09-17T10:00:00Z").getMillis();
    PAssert.that(parsed.output())
        .containsInAnyOrder(
            PageView.of("a.com", "http://a.com/", null, "s1", ten),
            PageView.of("a.com", "http://a.com/", "r", "s2", ten));
    PAssert.that(parsed.failures())
        .containsInAnyOrder(
            DeadLetter.of(
                "kafka:views-2@2",
                STEP,
                "malformed JSON: Unrecognized token 'not': was expecting (JSON String, Number,"
                    + " Array, Object or token 'null', 'true' or 'false')",
                "not json"),
            DeadLetter.of(
                "kafka:views-2@3",
                STEP,
                "field 'url' must be STRING, got NUMBER",
                "{\"customer\": \"a.com\", \"url\": 3, \"session_id\": \"s\"}"),
            DeadLetter.of(
                "kafka:views-2@4",
                STEP,
                "null session_id",
                "{\"customer\": \"a.com\", \"url\": \"u\", \"ts\": 0}"),
            DeadLetter.of("kafka:views-2@5", STEP, "not UTF-8", "base64:/3g="),
            DeadLetter.of("kafka:views-2@6", STEP, "empty message", ""),
            DeadLetter.of("kafka:views-2@7", STEP, "empty message", ""),
            DeadLetter.of(
                "kafka:views-2@8",
                STEP,
                "ts out of range: 1969-12-31T23:59:59.999Z",
                "{\"customer\": \"a.com\", \"url\": \"u\", \"session_id\": \"s\", \"ts\": -1}"));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(9, counter(result, ReadPageViewsFromKafka.RECORDS_READ));
    assertEquals(2, counter(result, ReadPageViewsFromKafka.PAGE_VIEWS));
    assertEquals(1, counter(result, ReadPageViewsFromKafka.INVALID_PAGE_VIEWS));
    assertEquals(6, counter(result, ReadPageViewsFromKafka.BAD_RECORDS));
  }

  @Test
  public void eventTimeIsTheTsOfTheValueOrNull() {
    assertEquals(
        Instant.parse("2017-09-17T10:00:00Z"),
        ReadPageViewsFromKafka.eventTime(utf8("{\"ts\": \"2017-09-17T10:00:00Z\"}")));
    assertEquals(Instant.ofEpochMilli(5), ReadPageViewsFromKafka.eventTime(utf8("{\"ts\": 5}")));
    assertNull(ReadPageViewsFromKafka.eventTime(utf8("{\"ts\": true}")));
    assertNull(ReadPageViewsFromKafka.eventTime(utf8("{}")));
    assertNull(ReadPageViewsFromKafka.eventTime(utf8("nope")));
    assertNull(ReadPageViewsFromKafka.eventTime(null));
    assertNull(ReadPageViewsFromKafka.eventTime(new byte[] {'{', (byte) 0xFF, '}'}));
    long farAhead = System.currentTimeMillis() + Duration.standardDays(2).getMillis();
    assertNull(ReadPageViewsFromKafka.eventTime(utf8("{\"ts\": " + farAhead + "}")));
    assertNull(ReadPageViewsFromKafka.eventTime(utf8("{\"ts\": 9999999999999999}")));
  }

  @Test
  public void rejectsBlankServersOrTopicAndBadDurations() {
    assertThrows(IllegalArgumentException.class, () -> ReadPageViewsFromKafka.from(" ", "t"));
    assertThrows(IllegalArgumentException.class, () -> ReadPageViewsFromKafka.from("h:1", ""));
    ReadPageViewsFromKafka read = ReadPageViewsFromKafka.from("h:1", "t");
    assertThrows(
        IllegalArgumentException.class, () -> read.withMaxOutOfOrderness(Duration.millis(-1)));
    assertThrows(IllegalArgumentException.class, () -> read.withStopAfterIdle(Duration.ZERO));
  }

  /**
   * A partition read twice (as Beam 2.62's FlinkRunner does after a restore) gives each message
   * once: offsets at or below the highest passed on are dropped and counted.
   */
  @Test
  public void replayedMessagesAreDroppedOncePerPartition() {
    // In order, one bundle each, as a partition's reader emits them.
    TestStream.Builder<KV<String, KafkaRecord<byte[], byte[]>>> stream =
        TestStream.create(
            KvCoder.of(
                StringUtf8Coder.of(),
                KafkaRecordCoder.of(
                    NullableCoder.of(ByteArrayCoder.of()), NullableCoder.of(ByteArrayCoder.of()))));
    for (long offset : new long[] {0, 1, 2, 0, 1, 2, 3, 3}) {
      stream = stream.addElements(KV.of("views-2", message(offset, utf8("m" + offset))));
    }
    stream =
        stream.addElements(
            KV.of(
                "views-3",
                new KafkaRecord<>(
                    "views", 3, 0, 0, KafkaTimestampType.CREATE_TIME, null, null, utf8("other"))));
    PCollection<KafkaRecord<byte[], byte[]>> once =
        p.apply(stream.advanceWatermarkToInfinity())
            .apply(ParDo.of(new ReadPageViewsFromKafka.DropReplayedMessagesFn()));
    PAssert.that(
            once.apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(r -> r.getPartition() + "@" + r.getOffset())))
        .containsInAnyOrder("2@0", "2@1", "2@2", "2@3", "3@0");
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(4, counter(result, ReadPageViewsFromKafka.REPLAYED_MESSAGES_DROPPED));
  }

  private static long counter(PipelineResult result, String name) {
    return Counters.attempted(result, ReadPageViewsFromKafka.class, name);
  }
}
