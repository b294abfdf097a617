package dev.sluice.runners;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.rules.ExternalResource;

/**
 * A real Kafka broker (KRaft mode, its own JVM, {@code scripts/kafka.sh}) on a free port of
 * 127.0.0.1 for one test class, with a producer and a reader of whole topics.
 */
final class KafkaBroker extends ExternalResource {

  /** The broker's jars, copied once for every test class and run (scripts/cluster/kafka). */
  private static final Path LIBS = Path.of("target/kafka-libs");

  private final Path home;
  private int port;

  /** A broker whose configuration, logs and data live under {@code home}. */
  KafkaBroker(Path home) {
    this.home = home;
  }

  @Override
  protected void before() throws Throwable {
    port = freePortPair();
    try {
      script("start");
    } catch (IOException | InterruptedException | AssertionError e) {
      // JUnit does not call after() when before() fails: stop what started.
      script("stop");
      throw e;
    }
  }

  @Override
  protected void after() {
    try {
      script("stop");
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot stop the Kafka broker", e);
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** A producer of raw bytes; the caller closes it. */
  KafkaProducer<byte[], byte[]> producer() {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config);
  }

  /** Sends each value to {@code topic} and waits until the broker has them. */
  void send(String topic, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(topic, value));
      }
      producer.flush();
    }
  }

  /** Sends each string as UTF-8. */
  void sendText(String topic, String... values) {
    List<byte[]> bytes = new ArrayList<>();
    for (String value : values) {
      bytes.add(value.getBytes(StandardCharsets.UTF_8));
    }
    send(topic, bytes);
  }

  /**
   * The messages of {@code topic} from the start, read until {@code expected} messages came or
   * {@code timeout} passed: each key (UTF-8; {@code ""} for none) to its values (UTF-8) in offset
   * order, keys in the order first seen.
   */
  Map<String, List<String>> readAll(String topic, int expected, Duration timeout) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    config.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, List<String>> byKey = new LinkedHashMap<>();
    int read = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      while (read < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
          byKey
              .computeIfAbsent(key, k -> new ArrayList<>())
              .add(new String(record.value(), StandardCharsets.UTF_8));
          read++;
        }
      }
    }
    return byKey;
  }

  /** Waits until {@code topic} exists, for a stream that must not start before it. */
  void awaitTopic(String topic, Duration timeout) throws Exception {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(config)) {
      while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no topic " + topic + " within " + timeout);
        }
        Thread.sleep(200);
      }
    }
  }

  private void script(String command) throws IOException, InterruptedException {
    Files.createDirectories(home);
    File log = home.resolve(command + ".log").toFile();
    ProcessBuilder builder =
        new ProcessBuilder("scripts/kafka.sh", command)
            .redirectErrorStream(true)
            .redirectOutput(log);
    builder.environment().put("KAFKA_HOME", home.toAbsolutePath().toString());
    builder.environment().put("KAFKA_LIBS", LIBS.toAbsolutePath().toString());
    builder.environment().put("KAFKA_PORT", String.valueOf(port));
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("scripts/kafka.sh " + command + " did not finish in 5 min");
    }
    assertEquals(
        "scripts/kafka.sh " + command + " failed:\n" + Files.readString(log.toPath()),
        0,
        process.exitValue());
  }

  /** A port whose successor is free too (the broker's controller listens on it). */
  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int candidate;
      try (ServerSocket socket = new ServerSocket(0)) {
        candidate = socket.getLocalPort();
      }
      if (candidate < 65_535) {
        try (ServerSocket first = new ServerSocket(candidate);
            ServerSocket second = new ServerSocket(candidate + 1)) {
          return candidate;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no two free neighbouring ports");
  }
}
