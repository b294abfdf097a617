package dev.sluice.pipelines.pageviews;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.io.FileSplit;
import dev.sluice.io.HivePartitionPlan;
import dev.sluice.io.HivePartitions;
import dev.sluice.io.RecordReader;
import dev.sluice.io.RowDecoder;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pageviews.ToPageViews;
import dev.sluice.pipelines.options.PipelineArgs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.values.Row;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * {@code sluice produce}: replays a page-view tree (Parquet or JSON lines, as {@code pageviews}
 * reads it) to a Kafka topic in {@code ts} order, at {@code --rate} views per second, for demos,
 * tests and benchmarks of {@code pageviews --streaming=true}.
 *
 * <p>Each row becomes one message: a JSON object with {@code customer} (from the partition path
 * when the row has none), {@code url}, {@code referrer}, {@code session_id} and {@code ts}
 * (ISO-8601, UTC), keyed by {@code session_id}. Rows with null fields are sent as they are and
 * records the reader cannot decode are sent as their original text, so the stream's dead letters
 * are the batch job's. With {@code --lateFraction=F}, that fraction of the views (chosen with a
 * fixed seed) is held back and sent once the replay has reached {@code ts + --lateBy}, so they
 * arrive late; those the replay never reaches that far past are sent at the end (and counted
 * apart). A message the broker does not take fails the command after the last one is sent. With
 * {@code --timestamps=now}, each message's {@code ts} is rewritten to the time it is sent (minus
 * {@code --lateBy} for late ones): a live stream for measuring watermark lag.
 *
 * <p>The tree is read into memory and sorted before the first message: meant for trees up to a few
 * million views. The topic is created with {@code --partitions} if it does not exist.
 */
public final class ProducePageViews {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ProducePageViews() {}

  /** Options of {@code sluice produce}. */
  public interface Options extends KafkaOptions, S3StoreOptions {
    @Description("Root of the page-view tree to replay (as pageviews --input reads it).")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description("Views per second; 0 sends as fast as the broker takes them.")
    @Default.Integer(1000)
    int getRate();

    void setRate(int rate);

    @Description("Fraction of views, 0 to 1, held back and sent late (see --lateBy).")
    @Default.Double(0)
    double getLateFraction();

    void setLateFraction(double fraction);

    @Description(
        "How far behind in event time a late view is sent: once the replay reaches ts + this.")
    @Default.String("30m")
    String getLateBy();

    void setLateBy(String lateBy);

    @Description(
        "original keeps each view's ts; now rewrites it to the time the view is sent (a live "
            + "stream).")
    @Default.String("original")
    String getTimestamps();

    void setTimestamps(String timestamps);

    @Description("Partitions of the topic when it has to be created.")
    @Default.Integer(1)
    int getPartitions();

    void setPartitions(int partitions);
  }

  /** One message to send: its event time (for ordering), key and value. */
  private static final class Message {
    final long ts;
    final byte @Nullable [] key;
    final @Nullable ObjectNode view;
    final @Nullable String raw;

    Message(long ts, byte @Nullable [] key, @Nullable ObjectNode view, @Nullable String raw) {
      this.ts = ts;
      this.key = key;
      this.view = view;
      this.raw = raw;
    }
  }

  /**
   * Parses and checks the options.
   *
   * @throws IllegalArgumentException with a one-line message for a missing or unusable option
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    if (options.getKafkaBootstrapServers() == null || options.getTopic() == null) {
      throw new IllegalArgumentException(
          "produce needs --kafkaBootstrapServers=HOST:PORT and --topic");
    }
    if (options.getRate() < 0) {
      throw new IllegalArgumentException("--rate must be >= 0, got " + options.getRate());
    }
    if (!(options.getLateFraction() >= 0 && options.getLateFraction() <= 1)) {
      throw new IllegalArgumentException(
          "--lateFraction must be in [0, 1], got " + options.getLateFraction());
    }
    if (!Set.of("original", "now").contains(options.getTimestamps())) {
      throw new IllegalArgumentException(
          "--timestamps must be original or now, got " + options.getTimestamps());
    }
    if (options.getPartitions() < 1) {
      throw new IllegalArgumentException(
          "--partitions must be >= 1, got " + options.getPartitions());
    }
    TimeArguments.duration(options.getLateBy());
    S3Store.prepare(options, options.getInput());
    return options;
  }

  /**
   * Reads the tree, creates the topic if needed and sends every record, then prints one line.
   *
   * @param options checked options
   * @param out where the closing line goes
   * @return the number of messages sent
   * @throws IllegalArgumentException if the input cannot be listed or holds no data file
   * @throws IOException if a file cannot be read
   * @throws InterruptedException if interrupted while pacing or sending
   */
  public static long run(Options options, PrintStream out)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    AtomicReference<Exception> failure = new AtomicReference<>();
    List<Message> messages = read(options.getInput(), System.err);
    messages.sort(Comparator.comparingLong(m -> m.ts));
    KafkaTopics.create(
        options.getKafkaBootstrapServers(), options.getTopic(), options.getPartitions());
    long lateBy = TimeArguments.duration(options.getLateBy()).getMillis();
    boolean now = options.getTimestamps().equals("now");
    Random random = new Random(42);
    PriorityQueue<Message> held = new PriorityQueue<>(Comparator.comparingLong(m -> m.ts));
    long sent = 0;
    long late = 0;
    long sentLast = 0;
    long pacingStart = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = producer(options)) {
      for (Message message : messages) {
        while (!held.isEmpty() && held.peek().ts + lateBy <= message.ts) {
          pace(options.getRate(), sent, pacingStart);
          send(producer, options.getTopic(), held.poll(), now, -lateBy, failure);
          sent++;
          late++;
        }
        if (message.view != null && random.nextDouble() < options.getLateFraction()) {
          held.add(message);
          continue;
        }
        pace(options.getRate(), sent, pacingStart);
        send(producer, options.getTopic(), message, now, 0, failure);
        sent++;
      }
      // Views still held when the replay ends come last, less late than --lateBy.
      while (!held.isEmpty()) {
        pace(options.getRate(), sent, pacingStart);
        send(producer, options.getTopic(), held.poll(), now, -lateBy, failure);
        sent++;
        sentLast++;
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IOException(
          "the broker did not take every message of " + options.getTopic(), failure.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out.printf(
        Locale.ROOT,
        "produce: %,d messages (%,d sent late, %,d held back to the end) to %s in %.1f s"
            + " (%,.0f/s)%n",
        sent,
        late,
        sentLast,
        options.getTopic(),
        seconds,
        sent / Math.max(seconds, 1e-3));
    return sent;
  }

  /**
   * Sends one message; with {@code live} its view's {@code ts} is first rewritten to the clock plus
   * {@code shift} milliseconds. The first send the broker refuses goes to {@code failure}.
   */
  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      Message message,
      boolean live,
      long shift,
      AtomicReference<Exception> failure) {
    byte[] value;
    if (message.view == null) {
      value = message.raw == null ? new byte[0] : message.raw.getBytes(StandardCharsets.UTF_8);
    } else {
      ObjectNode view = message.view;
      if (live) {
        view = view.deepCopy();
        view.put("ts", new Instant(System.currentTimeMillis() + shift).toString());
      }
      value = view.toString().getBytes(StandardCharsets.UTF_8);
    }
    producer.send(
        new ProducerRecord<>(topic, message.key, value),
        (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
  }

  private static void pace(int rate, long sent, long startNanos) throws InterruptedException {
    if (rate <= 0) {
      return;
    }
    long due = startNanos + sent * 1_000_000_000L / rate;
    long wait = due - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /**
   * Every record of the tree as a message, in file order. A file that cannot be read to its end
   * keeps the records read before the damage, and is reported on {@code err}.
   */
  static List<Message> read(String input, PrintStream err) {
    HivePartitionPlan plan = HivePartitionPlan.list(input);
    RowDecoder rows = RowDecoder.of(ToPageViews.COLUMNS, "ProducePageViews");
    List<Message> messages = new ArrayList<>();
    for (FileSplit split : plan.filePlan().splits()) {
      String customer = HivePartitions.values(split.path()).get("customer");
      int before = messages.size();
      try {
        split
            .format()
            .reader()
            .read(
                split,
                rows,
                new RecordReader.Receiver<Row>() {
                  @Override
                  public void output(Row row) {
                    messages.add(message(row, customer));
                  }

                  @Override
                  public void badRecord(String payload, String reason) {
                    messages.add(new Message(Long.MIN_VALUE, null, null, payload));
                  }

                  @Override
                  public void blankLine() {}
                });
      } catch (IOException | RuntimeException e) {
        err.println(
            "produce: skipped the rest of unreadable file "
                + split.path()
                + " after "
                + (messages.size() - before)
                + " records: "
                + e.getMessage());
      }
    }
    return messages;
  }

  private static Message message(Row row, @Nullable String partitionCustomer) {
    ObjectNode view = MAPPER.createObjectNode();
    String customer = row.getString("customer");
    view.put("customer", customer != null ? customer : partitionCustomer);
    view.put("url", row.getString("url"));
    view.put("referrer", row.getString("referrer"));
    String session = row.getString("session_id");
    view.put("session_id", session);
    ReadableInstant ts = row.getDateTime("ts");
    view.put("ts", ts == null ? null : ts.toInstant().toString());
    return new Message(
        ts == null ? Long.MIN_VALUE : ts.getMillis(),
        session == null ? null : session.getBytes(StandardCharsets.UTF_8),
        view,
        null);
  }

  private static KafkaProducer<byte[], byte[]> producer(Options options) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.getKafkaBootstrapServers());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(config);
  }
}
