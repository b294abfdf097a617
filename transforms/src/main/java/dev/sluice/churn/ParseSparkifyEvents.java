package dev.sluice.churn;

import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.InvalidRecordException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Parses Sparkify-format JSON lines into events: {@code PCollection<KV<String, String>>} of (source
 * file, line) in, a {@code WithFailures.Result} out whose {@code output()} is the {@code
 * PCollection<SparkifyEvent>} and whose {@code failures()} is the {@code PCollection<DeadLetter>}.
 *
 * <p>A line becomes a dead letter, with the original line, its source and the reason, when it is
 * not JSON, not a JSON object, lacks {@code ts}, {@code page} or {@code userId} (or has them {@code
 * null}), or when a known field has the wrong type: {@code userId}, {@code page} and the other text
 * fields must be strings; {@code ts}, {@code registration}, {@code sessionId}, {@code
 * itemInSession} and {@code status} integers (an integral float such as {@code 1540991795796.0}, as
 * Sparkify writes {@code registration}, is accepted); {@code length} a number. Unknown fields are
 * ignored, so newer simulator versions still parse. Guest events ({@code userId ""}) are valid
 * events and are output.
 *
 * <p>Lines that are empty or only whitespace hold no record and are skipped on purpose, counted as
 * {@value #BLANK_LINES_SKIPPED}. Every other line is counted as {@value #EVENTS_READ}, and {@code
 * events_read = events output + dead_letters}. Counters are in the namespace of this class.
 *
 * <p>Output elements keep the input's windows and timestamps. The parse holds one line at a time.
 */
@AutoValue
public abstract class ParseSparkifyEvents
    extends PTransform<
        PCollection<KV<String, String>>,
        WithFailures.Result<PCollection<SparkifyEvent>, DeadLetter>> {

  /** Step name written into dead letters. */
  public static final String STEP = "ParseSparkifyEvents";

  /** Counter of non-blank lines read. */
  public static final String EVENTS_READ = "events_read";

  /** Counter of empty or whitespace-only lines skipped. */
  public static final String BLANK_LINES_SKIPPED = "blank_lines_skipped";

  /** Counter of lines sent to the dead letter. */
  public static final String DEAD_LETTERS = "dead_letters";

  private static final TupleTag<SparkifyEvent> EVENTS = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  /** Creates the transform. */
  public static ParseSparkifyEvents create() {
    return new AutoValue_ParseSparkifyEvents();
  }

  @Override
  public WithFailures.Result<PCollection<SparkifyEvent>, DeadLetter> expand(
      PCollection<KV<String, String>> lines) {
    PCollectionTuple parsed =
        lines.apply(
            "ParseJson",
            ParDo.of(new ParseJsonFn()).withOutputTags(EVENTS, TupleTagList.of(FAILURES)));
    return WithFailures.Result.of(parsed.get(EVENTS), parsed.get(FAILURES));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("input", "Sparkify JSON lines").withLabel("Parses"))
        .add(DisplayData.item("deadLetterStep", STEP).withLabel("Dead-letter step"));
  }

  /**
   * Parses one line into an event.
   *
   * @param line one JSON object
   * @return the event
   * @throws InvalidEventException with a one-line reason if the line is not a valid event
   */
  public static SparkifyEvent parse(String line) throws InvalidEventException {
    return SparkifyJsonParser.parse(line);
  }

  /** A line that is not a valid Sparkify event; the message is the dead letter's reason. */
  public static final class InvalidEventException extends InvalidRecordException {
    private static final long serialVersionUID = 1L;

    InvalidEventException(String reason) {
      super(reason);
    }
  }

  /** Parses each line; routes invalid ones to the dead letter and counts every outcome. */
  static final class ParseJsonFn extends DoFn<KV<String, String>, SparkifyEvent> {
    private final Counter eventsRead = Metrics.counter(ParseSparkifyEvents.class, EVENTS_READ);
    private final Counter blankLines =
        Metrics.counter(ParseSparkifyEvents.class, BLANK_LINES_SKIPPED);
    private final Counter deadLetters = Metrics.counter(ParseSparkifyEvents.class, DEAD_LETTERS);

    @ProcessElement
    public void processElement(@Element KV<String, String> line, MultiOutputReceiver out) {
      String text = line.getValue();
      if (text.isBlank()) {
        blankLines.inc();
        return;
      }
      eventsRead.inc();
      try {
        out.get(EVENTS).output(parse(text));
      } catch (InvalidEventException e) {
        deadLetters.inc();
        out.get(FAILURES).output(DeadLetter.of(line.getKey(), STEP, e.getMessage(), text));
      }
    }
  }
}
