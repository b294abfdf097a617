package dev.sluice.pipelines.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.diff.Diff;
import dev.sluice.io.FilePlan;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.report.PipelineGraph;
import dev.sluice.pipelines.report.PipelineRun;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import dev.sluice.pipelines.report.SummaryKey;
import dev.sluice.pipelines.report.WatchedRun;
import java.io.IOException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The {@code diff} pipeline: two datasets in (each a file, a directory of data files or a glob, in
 * any {@code FileFormat}: JSON lines, gzip JSON lines, Parquet), the records only in one of them
 * out, with counts. Records are compared as JSON (key order and whitespace aside; Parquet records
 * with every column, as {@link Diff#canonicalJson(org.apache.beam.sdk.values.Row)} writes them), as
 * a multiset: order does not matter, duplicates do. A file that cannot be read fails the run (with
 * {@code --output}, its dead letter is in {@code dead-letter/}). This is the "did my refactoring
 * change the output?" check that teams otherwise hand-write with a DataFrame {@code subtract}.
 *
 * <p>Prints the counts; with {@code --output}, writes {@code only-left/} and {@code only-right/} as
 * JSON lines {@code {"count": N, "record": "..."}}. {@link #run} returns whether the sides are
 * equal; the {@code sluice diff} command exits 0 when they are and 4 when they differ.
 */
public final class DiffPipeline {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DiffPipeline() {}

  /** Options of {@code diff}. */
  public interface Options extends S3StoreOptions, RunOptions {
    @Description(
        "Left dataset: JSON lines or Parquet; a file, a directory of data files or a glob.")
    @Validation.Required
    String getLeft();

    void setLeft(String left);

    @Description("Right dataset, in the same forms.")
    @Validation.Required
    String getRight();

    void setRight(String right);

    @Description("Optional directory for only-left/ and only-right/ (JSON lines with counts).")
    String getOutput();

    void setOutput(String output);
  }

  /** The counts of the summary table, in its order. */
  public enum Count implements SummaryKey {
    /** Records of the left side. */
    LEFT_RECORDS,
    /** Records of the right side. */
    RIGHT_RECORDS,
    /** Records only on the left, with multiplicity. */
    ONLY_LEFT,
    /** Records only on the right, with multiplicity. */
    ONLY_RIGHT,
    /** Files of either side that could not be read. */
    UNREADABLE_FILES
  }

  /** The settings of the summary table. */
  public enum Setting implements SummaryKey {
    /** The left side, as given. */
    LEFT,
    /** The right side, as given. */
    RIGHT
  }

  /**
   * Parses and checks options; the sides are listed by {@link #run}.
   *
   * @throws IllegalArgumentException with a one-line message otherwise
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    S3Store.prepare(options, options.getLeft(), options.getRight(), options.getOutput());
    return options;
  }

  /**
   * Lists both sides, compares them, prints the counts, and writes the differences if asked.
   *
   * @return true when both sides hold the same records (and with {@code --graphOnly}, which only
   *     writes the graph)
   * @throws IllegalArgumentException if a side names no file
   * @throws IllegalStateException if a file of either side cannot be read: the sides are then not
   *     known to be equal
   * @throws IOException if the run fails
   */
  public static boolean run(Options options) throws IOException {
    long start = System.currentTimeMillis();
    FilePlan left = list(options.getLeft());
    FilePlan right = list(options.getRight());
    Pipeline pipeline = Pipeline.create(options);
    WithFailures.Result<PCollection<String>, DeadLetter> leftRecords =
        pipeline.apply("ReadLeft", ReadRecords.of(left, Diff.canonicalRecords()));
    WithFailures.Result<PCollection<String>, DeadLetter> rightRecords =
        pipeline.apply("ReadRight", ReadRecords.of(right, Diff.canonicalRecords()));
    Diff.Result diff =
        PCollectionList.of(leftRecords.output())
            .and(rightRecords.output())
            .apply("Diff", Diff.create());
    if (options.getOutput() != null) {
      String out = options.getOutput().replaceAll("/+$", "");
      diff.onlyLeft()
          .apply("FormatOnlyLeft", ParDo.of(new FormatDifferenceFn()))
          .apply("WriteOnlyLeft", WriteRecords.lines(out + "/only-left"));
      diff.onlyRight()
          .apply("FormatOnlyRight", ParDo.of(new FormatDifferenceFn()))
          .apply("WriteOnlyRight", WriteRecords.lines(out + "/only-right"));
      PCollectionList.of(leftRecords.failures())
          .and(rightRecords.failures())
          .apply("CollectDeadLetters", Flatten.pCollections())
          .apply(
              "WriteDeadLetters",
              WriteRecords.<DeadLetter>to(out + "/" + PipelineRun.DEAD_LETTER).withNumShards(1));
    }
    PipelineGraph graph = PipelineGraph.writeIfAsked(pipeline, options);
    if (options.isGraphOnly()) {
      return true;
    }
    PipelineResult result =
        WatchedRun.untilDone(
            pipeline,
            options,
            RunProgress.of("diff")
                .withEventsRead(
                    MetricName.named(Diff.class, Diff.LEFT_RECORDS),
                    MetricName.named(Diff.class, Diff.RIGHT_RECORDS)));
    if (graph != null) {
      graph.writeCounts(result, options);
    }
    RunSummary summary =
        RunSummary.builder("diff")
            .setting(Setting.LEFT, options.getLeft())
            .setting(Setting.RIGHT, options.getRight())
            .count(Count.LEFT_RECORDS, RunSummary.counter(result, Diff.class, Diff.LEFT_RECORDS))
            .count(Count.RIGHT_RECORDS, RunSummary.counter(result, Diff.class, Diff.RIGHT_RECORDS))
            .count(Count.ONLY_LEFT, RunSummary.counter(result, Diff.class, Diff.ONLY_LEFT))
            .count(Count.ONLY_RIGHT, RunSummary.counter(result, Diff.class, Diff.ONLY_RIGHT))
            .count(
                Count.UNREADABLE_FILES,
                RunSummary.counter(result, ReadRecords.class, ReadRecords.UNREADABLE_FILES))
            .runner(options)
            .steps(result)
            .movement(result)
            .wallTimeMillis(System.currentTimeMillis() - start)
            .build();
    System.out.print(summary.toTable());
    if (summary.count(Count.UNREADABLE_FILES) > 0) {
      throw new IllegalStateException(
          summary.count(Count.UNREADABLE_FILES)
              + " file(s) could not be read, so the sides cannot be compared"
              + (options.getOutput() == null
                  ? "; give --output to see which in dead-letter/"
                  : "; see " + options.getOutput() + "/" + PipelineRun.DEAD_LETTER));
    }
    boolean equal = summary.count(Count.ONLY_LEFT) == 0 && summary.count(Count.ONLY_RIGHT) == 0;
    System.out.println(
        equal ? "  result                 equal" : "  result                 DIFFERENT");
    return equal;
  }

  /** The files of one side; a side that names none is a usage error. */
  private static FilePlan list(String side) {
    FilePlan plan = FilePlan.list(side);
    if (plan.isEmpty()) {
      throw new IllegalArgumentException("no file matches " + side);
    }
    return plan;
  }

  /** One difference as {@code {"count": N, "record": "..."}}. */
  static final class FormatDifferenceFn extends DoFn<KV<String, Long>, String> {
    @ProcessElement
    public void processElement(@Element KV<String, Long> difference, OutputReceiver<String> out) {
      ObjectNode node = MAPPER.createObjectNode();
      node.put("count", difference.getValue());
      node.put("record", difference.getKey());
      out.output(node.toString());
    }
  }
}
