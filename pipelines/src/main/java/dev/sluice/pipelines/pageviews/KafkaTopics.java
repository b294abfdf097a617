package dev.sluice.pipelines.pageviews;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topic checks of {@code produce} and {@code pageviews --streaming=true}, before anything is
 * sent or read, through Kafka's {@code Admin} client: each answers within 30 s or fails with one
 * line ({@link IllegalArgumentException}, a usage error) naming the brokers.
 */
final class KafkaTopics {

  private static final int TIMEOUT_SECONDS = 30;

  private KafkaTopics() {}

  /**
   * Creates {@code topic} with {@code partitions} partitions (replication 1) unless it exists.
   *
   * @throws IllegalArgumentException when no broker answers or the broker refuses the topic
   */
  static void create(String bootstrapServers, String topic, int partitions) {
    try {
      ask(
          bootstrapServers,
          admin -> admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalArgumentException(
            "cannot create topic "
                + topic
                + " at "
                + bootstrapServers
                + ": "
                + e.getCause().getMessage(),
            e);
      }
    }
  }

  /**
   * Checks that {@code topic} exists: KafkaIO lists a topic's partitions once, when it splits the
   * read, and fails on a topic it cannot find.
   *
   * @throws IllegalArgumentException when no broker answers or the topic does not exist
   */
  static void requireExisting(String bootstrapServers, String topic) {
    Set<String> topics;
    try {
      topics = ask(bootstrapServers, admin -> admin.listTopics().names());
    } catch (ExecutionException e) {
      throw noBroker(bootstrapServers, e);
    }
    if (!topics.contains(topic)) {
      throw new IllegalArgumentException(
          "topic '"
              + topic
              + "' does not exist at "
              + bootstrapServers
              + ": create it first (sluice produce creates it)");
    }
  }

  /** The answer to one request of a new {@code Admin} client, within the timeout. */
  private static <T> T ask(String bootstrapServers, Function<Admin, KafkaFuture<T>> request)
      throws ExecutionException {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(config)) {
      return request.apply(admin).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw noBroker(bootstrapServers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while asking the brokers at " + bootstrapServers, e);
    }
  }

  private static IllegalArgumentException noBroker(String bootstrapServers, Exception cause) {
    return new IllegalArgumentException(
        "no Kafka broker answered at " + bootstrapServers + " within " + TIMEOUT_SECONDS + " s",
        cause);
  }
}
