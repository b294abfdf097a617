package dev.sluice.pipelines.pageviews;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.kafka.EventTimePolicy;
import dev.sluice.pageviews.FormatAsElasticsearchJson;
import dev.sluice.pageviews.PageView;
import dev.sluice.pageviews.ReadPageViewsFromKafka;
import dev.sluice.pageviews.RollUpPageViews;
import dev.sluice.pipelines.report.PipelineRun;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import dev.sluice.pipelines.report.SummaryKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.StringSerializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@code pageviews --streaming=true}: the hourly rollup of page views on a live Kafka topic, with
 * the same combiners as the batch job ({@link RollUpPageViews} on unbounded input).
 *
 * <p>Steps: {@code ReadPageViewsFromKafka} (event time from {@code ts}, watermark {@code
 * --maxOutOfOrderness} behind the largest {@code ts} seen, bad messages to the dead letter), {@code
 * RollUpPageViews} (fixed {@code --window}s; an on-time pane when the watermark passes the window's
 * end, speculative panes every {@code --earlyFiringsEvery} before it, a late pane per late view
 * within {@code --allowedLateness}; accumulating, so every pane holds its window's counts so far),
 * {@code FormatAsElasticsearchJson} with the pane, then {@code WritePageViews}: the pane's records
 * as files {@code OUTPUT/pageviews/window=START/pane-N-TIMING-...json}, and with {@code
 * --outputTopic} as messages keyed by {@code _id}. Dead letters go to {@code OUTPUT/dead-letter/}
 * every few seconds and, with {@code --deadLetterTopic}, to that topic, keyed by their source.
 *
 * <p>The run ends after {@code --stopAfterIdle} without a message, or on Ctrl-C of a run in this
 * JVM (DirectRunner, embedded FlinkRunner): the watermark then goes to the end of time, so every
 * open window emits its last pane (a catch-up run over a finished topic ends with the batch job's
 * records), and the summary is written. Views later than the allowed lateness are dropped by the
 * runner and counted as {@code late_views_dropped}; {@code records_read = page_views +
 * invalid_page_views + bad_records} is checked.
 */
public final class StreamingPageViewsPipeline {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Counter of dead letters sent to the dead-letter outputs. */
  static final String DEAD_LETTERS_WRITTEN = "dead_letters_written";

  /** How often dead letters are written while the stream runs. */
  static final Duration DEAD_LETTER_DELAY = Duration.standardSeconds(5);

  private StreamingPageViewsPipeline() {}

  /**
   * The FlinkRunner's options this pipeline looks at ({@code --checkpointingInterval}, {@code
   * --savepointPath}, {@code --flinkMaster}), read without depending on the runner: the same
   * properties, types and defaults as {@code FlinkPipelineOptions}.
   */
  public interface Checkpointing extends PipelineOptions {
    /** Milliseconds between checkpoints; -1 for none. */
    @Default.Long(-1)
    Long getCheckpointingInterval();

    /** Sets the milliseconds between checkpoints. */
    void setCheckpointingInterval(Long interval);

    /** The savepoint or retained checkpoint a Flink job starts from, or null. */
    String getSavepointPath();

    /** Sets the savepoint path. */
    void setSavepointPath(String path);

    /** The Flink JobManager, {@code [auto]} or {@code [local]} for the embedded cluster. */
    @Default.String("[auto]")
    String getFlinkMaster();

    /** Sets the Flink JobManager. */
    void setFlinkMaster(String master);
  }

  /** The settings of {@code summary.json} besides input, output and format. */
  public enum Setting implements SummaryKey {
    /** The window size, as {@code freq} names it ({@code 1hour}). */
    WINDOW,
    /** The bound on out-of-orderness. */
    MAX_OUT_OF_ORDERNESS,
    /** The allowed lateness. */
    ALLOWED_LATENESS,
    /** The source watermark when the run ended, ISO-8601 UTC. */
    FINAL_WATERMARK
  }

  /** The counts of {@code summary.json}, in its order. */
  public enum Count implements SummaryKey {
    /** Messages read. */
    RECORDS_READ,
    /** Messages read a second time after a restore, dropped (not in records_read). */
    REPLAYED_MESSAGES_DROPPED,
    /** Messages that are not a JSON object of the right types. */
    BAD_RECORDS,
    /** Messages without ts, customer, url or session_id. */
    INVALID_PAGE_VIEWS,
    /** Dead letters sent to the dead-letter outputs. */
    DEAD_LETTERS,
    /** Valid page views. */
    PAGE_VIEWS,
    /** Valid views later than the allowed lateness, dropped by the runner. */
    LATE_VIEWS_DROPPED,
    /** Rollup records output, one per key, window and pane. */
    OUTPUT_RECORDS
  }

  /**
   * Checks the streaming options: a topic and brokers, no {@code --input}, and readable durations.
   *
   * @throws IllegalArgumentException with a one-line message when an option is missing or unusable
   */
  static void validate(PageViewsPipeline.Options options) {
    if (options.getKafkaBootstrapServers() == null || options.getTopic() == null) {
      throw new IllegalArgumentException(
          "--streaming=true reads from Kafka: give --kafkaBootstrapServers=HOST:PORT and --topic");
    }
    if (options.getInput() != null) {
      throw new IllegalArgumentException(
          "--input is for batch runs; --streaming=true reads --topic instead");
    }
    if (options.getFrom() != null || options.getTo() != null) {
      throw new IllegalArgumentException("--from/--to are for batch runs, not --streaming=true");
    }
    if (options.getRunner().getSimpleName().startsWith("Spark")) {
      throw new IllegalArgumentException(
          "--streaming=true runs on the DirectRunner and the FlinkRunner: on Beam 2.62's "
              + "SparkRunner (DStream micro-batches) a window's on-time pane did not appear within "
              + "3 minutes of its watermark, so it cannot serve a live stream (see the README)");
    }
    if (!options.getFormat().startsWith("json")) {
      throw new IllegalArgumentException(
          "--streaming=true writes JSON lines (--format=json or json.gz), got "
              + options.getFormat());
    }
    read(options);
    rollUp(options);
  }

  private static ReadPageViewsFromKafka read(PageViewsPipeline.Options options) {
    ReadPageViewsFromKafka read =
        ReadPageViewsFromKafka.from(options.getKafkaBootstrapServers(), options.getTopic())
            .withMaxOutOfOrderness(TimeArguments.duration(options.getMaxOutOfOrderness()));
    if (options.getStopAfterIdle() != null) {
      read = read.withStopAfterIdle(TimeArguments.duration(options.getStopAfterIdle()));
    }
    if (options.getConsumerGroup() != null) {
      read = read.withConsumerGroup(options.getConsumerGroup());
    }
    Checkpointing flink = options.as(Checkpointing.class);
    Long checkpointing = flink.getCheckpointingInterval();
    if ((checkpointing != null && checkpointing > 0) || flink.getSavepointPath() != null) {
      // A restored job: Beam 2.62's FlinkRunner then reads every partition twice.
      read = read.withReplayedMessagesDropped();
    }
    return read;
  }

  private static RollUpPageViews rollUp(PageViewsPipeline.Options options) {
    RollUpPageViews rollUp =
        RollUpPageViews.hourly()
            .withWindowSize(TimeArguments.duration(PageViewsPipeline.window(options)))
            .withAllowedLateness(TimeArguments.duration(options.getAllowedLateness()));
    if (options.getEarlyFiringsEvery() != null) {
      rollUp = rollUp.withEarlyFirings(TimeArguments.duration(options.getEarlyFiringsEvery()));
    }
    return PageViewsPipeline.countingVisitors(rollUp, options);
  }

  /**
   * Builds and runs the streaming pipeline until it stops (idle, or Ctrl-C of an embedded run),
   * then writes and prints its summary.
   *
   * @param options options with {@code --streaming=true}, validated by {@link
   *     PageViewsPipeline#validate}
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalStateException if the run does not finish in state DONE or its counts do not add
   *     up
   * @throws IOException if the summary cannot be written
   */
  static @Nullable PipelineResult run(PageViewsPipeline.Options options) throws IOException {
    KafkaTopics.requireExisting(options.getKafkaBootstrapServers(), options.getTopic());
    EventTimePolicy.resetDrain();
    PipelineRun run =
        PipelineRun.start(
            "pageviews",
            options,
            "kafka:" + options.getTopic(),
            options.getOutput(),
            FileFormat.parse(options.getFormat()));
    RollUpPageViews rollUp = rollUp(options);
    WithFailures.Result<PCollection<PageView>, DeadLetter> views =
        run.pipeline().apply("ReadPageViewsFromKafka", read(options));
    PCollection<String> lines =
        views
            .output()
            .apply("RollUpPageViews", rollUp)
            .apply(
                "FormatAsElasticsearchJson",
                FormatAsElasticsearchJson.create().withIndex(options.getIndex()).withPane());
    lines.apply(
        "WritePageViews",
        WriteRecords.lines(run.output(PageViewsPipeline.PAGEVIEWS))
            .withFormat(run.format())
            .withFilePerPane());
    if (options.getOutputTopic() != null) {
      lines
          .apply(
              "KeyById",
              MapElements.into(
                      TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                  .via(line -> KV.of(FormatAsElasticsearchJson.idOf(line), line)))
          .apply("WritePageViewsToKafka", kafkaWrite(options, options.getOutputTopic()));
    }
    PCollection<DeadLetter> deadLetters =
        views
            .failures()
            .apply("CountDeadLetters", ParDo.of(new CountDeadLettersFn()))
            .apply(
                "BatchDeadLetters",
                Window.<DeadLetter>into(new GlobalWindows())
                    .triggering(
                        Repeatedly.forever(
                            AfterProcessingTime.pastFirstElementInPane()
                                .plusDelayOf(DEAD_LETTER_DELAY)))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    deadLetters.apply(
        "WriteDeadLetters",
        WriteRecords.<DeadLetter>to(run.output(PipelineRun.DEAD_LETTER))
            .withFormat(run.format())
            .withFilePerPane());
    if (options.getDeadLetterTopic() != null) {
      deadLetters
          .apply(
              "KeyBySource",
              MapElements.into(
                      TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                  .via(deadLetter -> KV.of(deadLetter.getSource(), json(deadLetter))))
          .apply("WriteDeadLettersToKafka", kafkaWrite(options, options.getDeadLetterTopic()));
    }
    CountDownLatch finished = new CountDownLatch(1);
    Thread drain =
        new Thread(
            () -> {
              System.err.println("pageviews: draining: emitting every open window, then stopping");
              EventTimePolicy.drain();
              try {
                finished.await(2, TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "sluice-drain");
    boolean inThisJvm = runsInThisJvm(options);
    if (inThisJvm) {
      Runtime.getRuntime().addShutdownHook(drain);
    }
    try {
      return run.execute(
          RunProgress.of("pageviews")
              .withEventsRead(
                  MetricName.named(
                      ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.RECORDS_READ))
              .withDeadLetters(
                  MetricName.named(
                      ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.BAD_RECORDS),
                  MetricName.named(
                      ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.INVALID_PAGE_VIEWS))
              .withDetails(StreamingPageViewsPipeline::progressDetails),
          (summary, result) -> summarize(summary, options, rollUp, result),
          StreamingPageViewsPipeline::checkBalanced);
    } finally {
      finished.countDown();
      try {
        if (inThisJvm) {
          Runtime.getRuntime().removeShutdownHook(drain);
        }
      } catch (IllegalStateException e) {
        // The JVM is already shutting down: the hook is running and waits for this run.
      }
    }
  }

  /**
   * Whether the pipeline's sources run in this JVM (the DirectRunner, the embedded FlinkRunner), so
   * that a drain of this JVM's sources stops it.
   */
  static boolean runsInThisJvm(PageViewsPipeline.Options options) {
    String runner = options.getRunner().getSimpleName();
    if (runner.equals("DirectRunner")) {
      return true;
    }
    String master = options.as(Checkpointing.class).getFlinkMaster();
    return runner.equals("FlinkRunner")
        && (master == null || master.equals("[auto]") || master.equals("[local]"));
  }

  private static KafkaIO.Write<String, String> kafkaWrite(
      PageViewsPipeline.Options options, String topic) {
    return KafkaIO.<String, String>write()
        .withBootstrapServers(options.getKafkaBootstrapServers())
        .withTopic(topic)
        .withKeySerializer(StringSerializer.class)
        .withValueSerializer(StringSerializer.class);
  }

  /** A dead letter as the JSON object the files hold: source, step, reason, payload. */
  private static String json(DeadLetter deadLetter) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("source", deadLetter.getSource());
    fields.put("step", deadLetter.getStep());
    fields.put("reason", deadLetter.getReason());
    fields.put("payload", deadLetter.getPayload());
    try {
      return MAPPER.writeValueAsString(fields);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + deadLetter + " as JSON", e);
    }
  }

  /** Counts the dead letters on their way to be written, for the balance check. */
  static final class CountDeadLettersFn extends DoFn<DeadLetter, DeadLetter> {
    private final Counter written =
        Metrics.counter(StreamingPageViewsPipeline.class, DEAD_LETTERS_WRITTEN);

    @ProcessElement
    public void processElement(@Element DeadLetter deadLetter, OutputReceiver<DeadLetter> out) {
      written.inc();
      out.output(deadLetter);
    }
  }

  /** Pane records written, late views dropped and the watermark, for the progress line. */
  static String progressDetails(PipelineResult result) {
    long panes;
    long dropped;
    try {
      panes = RunSummary.counter(result, RollUpPageViews.class, RollUpPageViews.ROLLUP_RECORDS);
      dropped = RollUpPageViews.lateViewsDropped(result.metrics());
    } catch (RuntimeException e) {
      return "metrics not reported yet"; // A run still starting; the next line will have them.
    }
    Instant watermark = sourceWatermark(result);
    String when =
        watermark == null
            ? "watermark not reported"
            : isEndOfTime(watermark)
                ? "watermark at the end of time"
                : "watermark "
                    + watermark
                    + " ("
                    + behind(System.currentTimeMillis() - watermark.getMillis())
                    + " behind the clock)";
    return String.format(
        Locale.ROOT, "%,d pane records written, %,d late views dropped, %s", panes, dropped, when);
  }

  private static boolean isEndOfTime(Instant watermark) {
    return !watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE);
  }

  private static String behind(long millis) {
    if (millis < 120_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    if (millis < 2 * 3_600_000L) {
      return (millis / 60_000) + " min";
    }
    if (millis < 2 * 86_400_000L) {
      return (millis / 3_600_000) + " h";
    }
    return String.format(Locale.ROOT, "%,d d", millis / 86_400_000L);
  }

  /**
   * The smallest of the per-partition watermark gauges of {@link EventTimePolicy}, or null before
   * any is reported.
   */
  static @Nullable Instant sourceWatermark(PipelineResult result) {
    long min = Long.MAX_VALUE;
    try {
      for (MetricResult<GaugeResult> gauge :
          result
              .metrics()
              .queryMetrics(
                  MetricsFilter.builder()
                      .addNameFilter(MetricNameFilter.inNamespace(EventTimePolicy.class))
                      .build())
              .getGauges()) {
        GaugeResult value = gauge.getAttempted();
        if (value != null
            && gauge.getName().getName().startsWith(EventTimePolicy.WATERMARK_GAUGE_PREFIX)) {
          min = Math.min(min, value.getValue());
        }
      }
    } catch (RuntimeException e) {
      return null; // Metrics of a run still starting.
    }
    return min == Long.MAX_VALUE ? null : Instant.ofEpochMilli(min);
  }

  static void summarize(
      RunSummary.Builder summary,
      PageViewsPipeline.Options options,
      RollUpPageViews rollUp,
      PipelineResult result) {
    long bad =
        RunSummary.counter(
            result, ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.BAD_RECORDS);
    long invalid =
        RunSummary.counter(
            result, ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.INVALID_PAGE_VIEWS);
    Instant watermark = sourceWatermark(result);
    summary
        .setting(Setting.WINDOW, FormatAsElasticsearchJson.freq(rollUp.windowSize()))
        .setting(Setting.MAX_OUT_OF_ORDERNESS, options.getMaxOutOfOrderness())
        .setting(Setting.ALLOWED_LATENESS, options.getAllowedLateness())
        .setting(
            Setting.FINAL_WATERMARK,
            watermark == null
                ? "not reported by this runner"
                : isEndOfTime(watermark) ? "end of time" : watermark.toString())
        .count(
            Count.RECORDS_READ,
            RunSummary.counter(
                result, ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.RECORDS_READ))
        .count(
            Count.REPLAYED_MESSAGES_DROPPED,
            RunSummary.counter(
                result,
                ReadPageViewsFromKafka.class,
                ReadPageViewsFromKafka.REPLAYED_MESSAGES_DROPPED))
        .count(Count.BAD_RECORDS, bad)
        .count(Count.INVALID_PAGE_VIEWS, invalid)
        .count(
            Count.DEAD_LETTERS,
            RunSummary.counter(result, StreamingPageViewsPipeline.class, DEAD_LETTERS_WRITTEN))
        .count(
            Count.PAGE_VIEWS,
            RunSummary.counter(
                result, ReadPageViewsFromKafka.class, ReadPageViewsFromKafka.PAGE_VIEWS))
        .count(Count.LATE_VIEWS_DROPPED, RollUpPageViews.lateViewsDropped(result.metrics()))
        .count(
            Count.OUTPUT_RECORDS,
            RunSummary.counter(result, RollUpPageViews.class, RollUpPageViews.ROLLUP_RECORDS));
    PageViewsPipeline.summarizeVisitors(summary, options);
  }

  /**
   * Fails when messages read differ from valid page views + the dead letters that reached their
   * outputs, or when those dead letters differ from the invalid page views and bad records found.
   */
  static void checkBalanced(RunSummary summary) {
    long read = summary.count(Count.RECORDS_READ);
    long deadLetters = summary.count(Count.DEAD_LETTERS);
    long rejected = summary.count(Count.INVALID_PAGE_VIEWS) + summary.count(Count.BAD_RECORDS);
    if (read != summary.count(Count.PAGE_VIEWS) + deadLetters || deadLetters != rejected) {
      throw new IllegalStateException(
          "counts do not add up: records_read "
              + read
              + " != page_views "
              + summary.count(Count.PAGE_VIEWS)
              + " + dead_letters "
              + deadLetters
              + " (invalid_page_views + bad_records "
              + rejected
              + ")");
    }
  }
}
