package dev.sluice.pipelines.pageviews;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The Kafka brokers and topic of a page-view stream: {@code pageviews --streaming} and {@code
 * produce}.
 */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers, HOST:PORT[,HOST:PORT...].")
  String getKafkaBootstrapServers();

  void setKafkaBootstrapServers(String servers);

  @Description(
      "The topic of page views: one JSON object per message with customer, url, referrer, "
          + "session_id and ts.")
  String getTopic();

  void setTopic(String topic);
}
