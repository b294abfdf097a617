package dev.sluice.pipelines.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.diff.Diff;
import dev.sluice.io.ReadLines;
import dev.sluice.io.WriteRecords;
import dev.sluice.io.s3.S3Store;
import dev.sluice.io.s3.S3StoreOptions;
import dev.sluice.pipelines.options.PipelineArgs;
import dev.sluice.pipelines.report.PipelineGraph;
import dev.sluice.pipelines.report.RunOptions;
import dev.sluice.pipelines.report.RunProgress;
import dev.sluice.pipelines.report.RunSummary;
import java.io.IOException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The {@code diff} pipeline: two datasets in (each JSON lines or Parquet: a file, a directory of
 * data files or a glob), the records only in one of them out, with counts. Records are compared as
 * JSON (key order and whitespace aside; Parquet records as Avro renders them), as a multiset: order
 * does not matter, duplicates do. This is the "did my refactoring change the output?" check that
 * teams otherwise hand-write with a DataFrame {@code subtract}.
 *
 * <p>Prints the counts; with {@code --output}, writes {@code only-left/} and {@code only-right/} as
 * JSON lines {@code {"count": N, "record": "..."}}. {@link #run} returns whether the sides are
 * equal; the {@code sluice diff} command exits 0 when they are and 3 when they differ.
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

  /**
   * Parses and checks options: both sides must match at least one file.
   *
   * @throws IllegalArgumentException with a one-line message otherwise
   */
  public static Options parseOptions(String... args) {
    Options options = PipelineArgs.parse(Options.class, args);
    S3Store.prepare(options, options.getLeft(), options.getRight(), options.getOutput());
    for (String side : new String[] {options.getLeft(), options.getRight()}) {
      if (countFiles(side) == 0) {
        throw new IllegalArgumentException("no file matches " + side);
      }
    }
    return options;
  }

  /**
   * Compares the two sides, prints the counts, and writes the differences if asked.
   *
   * @return true when both sides hold the same records (and with {@code --graphOnly}, which only
   *     writes the graph)
   * @throws IOException if the run fails
   */
  public static boolean run(Options options) throws IOException {
    long start = System.currentTimeMillis();
    Pipeline pipeline = Pipeline.create(options);
    Diff.Result diff =
        PCollectionList.of(read(pipeline, "Left", options.getLeft()))
            .and(read(pipeline, "Right", options.getRight()))
            .apply("Diff", Diff.create());
    if (options.getOutput() != null) {
      String out = options.getOutput().replaceAll("/+$", "");
      diff.onlyLeft()
          .apply("FormatOnlyLeft", ParDo.of(new FormatDifferenceFn()))
          .apply("WriteOnlyLeft", WriteRecords.jsonLines(out + "/only-left"));
      diff.onlyRight()
          .apply("FormatOnlyRight", ParDo.of(new FormatDifferenceFn()))
          .apply("WriteOnlyRight", WriteRecords.jsonLines(out + "/only-right"));
    }
    if (PipelineGraph.writeIfAsked(pipeline, options)) {
      return true;
    }
    PipelineResult result =
        RunSummary.runUntilDone(
            pipeline,
            options,
            RunProgress.of("diff")
                .withEventsRead(
                    MetricName.named(Diff.class, Diff.LEFT_RECORDS),
                    MetricName.named(Diff.class, Diff.RIGHT_RECORDS)));
    RunSummary summary =
        RunSummary.builder("diff")
            .setting("left", options.getLeft())
            .setting("right", options.getRight())
            .count("left_records", RunSummary.counter(result, Diff.class, Diff.LEFT_RECORDS))
            .count("right_records", RunSummary.counter(result, Diff.class, Diff.RIGHT_RECORDS))
            .count("only_left", RunSummary.counter(result, Diff.class, Diff.ONLY_LEFT))
            .count("only_right", RunSummary.counter(result, Diff.class, Diff.ONLY_RIGHT))
            .runner(options)
            .steps(result)
            .wallTimeMillis(System.currentTimeMillis() - start)
            .build();
    boolean equal = summary.count("only_left") == 0 && summary.count("only_right") == 0;
    System.out.print(summary.toTable());
    System.out.println(
        equal ? "  result                 equal" : "  result                 DIFFERENT");
    return equal;
  }

  /** Reads one side as canonical JSON strings, from Parquet or JSON lines. */
  static PCollection<String> read(Pipeline pipeline, String side, String path) {
    String pattern = ReadLines.filepatternOf(path);
    String parquet = pattern.endsWith("/*") ? pattern + ".parquet" : pattern;
    if (parquet.endsWith(".parquet") && countFiles(parquet) > 0) {
      return pipeline
          .apply("Match" + side, FileIO.match().filepattern(parquet))
          .apply("ReadMatches" + side, FileIO.readMatches())
          .apply(
              "Read" + side,
              ParquetIO.parseFilesGenericRecords(
                      (org.apache.avro.generic.GenericRecord record) ->
                          Diff.canonicalJson(record.toString()))
                  .withCoder(StringUtf8Coder.of()));
    }
    return pipeline
        .apply("Read" + side, ReadLines.from(path))
        .apply("Canonicalize" + side, ParDo.of(new CanonicalLineFn()));
  }

  /** {@link ReadLines#countFiles}, with a file system that cannot be listed counting as none. */
  private static int countFiles(String input) {
    try {
      return ReadLines.countFiles(input);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Canonical JSON of each non-blank line. */
  static final class CanonicalLineFn extends DoFn<KV<String, String>, String> {
    @ProcessElement
    public void processElement(@Element KV<String, String> line, OutputReceiver<String> out) {
      if (!line.getValue().isBlank()) {
        out.output(Diff.canonicalJson(line.getValue()));
      }
    }
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
