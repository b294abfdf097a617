package dev.sluice.pipelines.pageviews;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The options of {@code pageviews --streaming=true}: page views from a Kafka topic ({@link
 * KafkaOptions}) instead of a tree, the watermark and trigger settings, and where the panes go
 * besides {@code --output}. Durations are a number and {@code s}, {@code m}, {@code h} or {@code
 * d}.
 */
public interface StreamOptions extends StreamingOptions, KafkaOptions {
  @Description(
      "Streaming: how far the watermark trails the largest ts seen; views later than this "
          + "behind the newest are late.")
  @Default.String("1m")
  String getMaxOutOfOrderness();

  void setMaxOutOfOrderness(String bound);

  @Description(
      "Streaming: how long after its window's end a late view still updates it (a late pane); "
          + "later views are dropped and counted as late_views_dropped.")
  @Default.String("1h")
  String getAllowedLateness();

  void setAllowedLateness(String lateness);

  @Description(
      "Streaming: also emit speculative (EARLY) panes this long in processing time after a "
          + "window's first view, before the watermark closes it. Default: none.")
  String getEarlyFiringsEvery();

  void setEarlyFiringsEvery(String delay);

  @Description(
      "Streaming: stop after this long without a message, emitting every open window. Default: "
          + "run until stopped (Ctrl-C drains an embedded run the same way).")
  String getStopAfterIdle();

  void setStopAfterIdle(String idle);

  @Description(
      "Streaming: also write each pane's records to this topic, keyed by _id (a compacted topic "
          + "is then an upsert table of the latest counts).")
  String getOutputTopic();

  void setOutputTopic(String topic);

  @Description("Streaming: also write dead letters to this topic, keyed by their source.")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String topic);

  @Description(
      "Streaming: Kafka consumer group. With it, the read starts from the group's committed "
          + "offsets and commits those of each finished checkpoint; without it, from the earliest.")
  String getConsumerGroup();

  void setConsumerGroup(String group);
}
