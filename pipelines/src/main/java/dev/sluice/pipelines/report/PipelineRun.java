package dev.sluice.pipelines.report;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.BundleFiles;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FileTrees;
import dev.sluice.io.WriteRecords;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The skeleton every Sluice pipeline with an input and an output directory runs through, so that
 * each pipeline class holds only its graph and its counts: the wall-time clock, the {@code
 * Pipeline}, the output paths and format, the dead-letter write, {@code --graph}/{@code
 * --graphOnly}, the run watched to its end ({@link WatchedRun}), and the summary: read, written to
 * {@code OUTPUT/summary.json}, printed and checked.
 *
 * <p>The output contract, for a downstream reader: {@code OUTPUT/_SUCCESS} ({@value #SUCCESS}, zero
 * bytes) is written last, only when the run finished, every output is complete and the summary's
 * counts balance. Before the pipeline runs, {@code _SUCCESS} and {@code summary.json} are deleted,
 * and so are the directories the pipeline declared with {@link #replacing} with every file under
 * them, and any temporary directory or summary a killed run left: a rerun into the same output
 * replaces it, and no file of an earlier run mixes with the new ones. {@code summary.json} is
 * written whole or not at all (a temporary file, then a rename), before {@code _SUCCESS}, so a run
 * whose counts do not add up leaves its summary but no {@code _SUCCESS}.
 *
 * <pre>{@code
 * PipelineRun run = PipelineRun.start("churn", options, options.getInput(), options.getOutput(),
 *     FileFormat.parse(options.getFormat())).replacing(LABELLED, ..., DEAD_LETTER);
 * FilePlan input = FilePlan.list(options.getInput());
 * run.reading(input.files());
 * ... build the graph on run.pipeline(), writing under run.output("labelled") ...
 * run.writeDeadLetters(deadLetters);
 * return run.execute(progress, ChurnPipeline::summarize, ChurnPipeline::checkBalanced);
 * }</pre>
 */
public final class PipelineRun {

  /** The output directory of dead letters under {@code --output}. */
  public static final String DEAD_LETTER = "dead-letter";

  /** The marker written last into the output directory of a complete, balanced run. */
  public static final String SUCCESS = "_SUCCESS";

  private final String name;
  private final RunOptions options;
  private final String input;
  private final String outputAsGiven;
  private final String output;
  private final FileFormat format;
  private final long startMillis;
  private final Pipeline pipeline;
  private final List<String> replaced = new ArrayList<>();
  private final List<String> inputFiles = new ArrayList<>();

  private PipelineRun(
      String name, RunOptions options, String input, String output, FileFormat format) {
    this.name = name;
    this.options = options;
    this.input = input;
    this.outputAsGiven = output;
    this.output = output.replaceAll("/+$", "");
    this.format = format;
    this.startMillis = System.currentTimeMillis();
    this.pipeline = Pipeline.create(options);
  }

  /**
   * Starts the clock and creates the pipeline.
   *
   * @param name the pipeline's name, as the summary and progress lines show it ({@code churn})
   * @param options the validated options
   * @param input the input, as given
   * @param output the output directory, as given (local path or URI)
   * @param format the format of the outputs
   * @return the run, with an empty pipeline
   */
  public static PipelineRun start(
      String name, RunOptions options, String input, String output, FileFormat format) {
    return new PipelineRun(name, options, input, output, format);
  }

  /**
   * Declares output directories under {@code --output} that this run writes whole: before the
   * pipeline runs they are deleted with every file under them. A batch run declares every directory
   * it writes, {@link #DEAD_LETTER} included; a run that appends to its output, such as a stream
   * restarted from a savepoint, declares none.
   *
   * @param directories names of directories directly under the output directory ({@code labelled})
   * @return this run
   * @throws IllegalArgumentException if a name is empty, {@code .} or {@code ..}, or holds a {@code
   *     /}
   */
  public PipelineRun replacing(String... directories) {
    for (String directory : directories) {
      if (directory.isEmpty()
          || directory.equals(".")
          || directory.equals("..")
          || directory.contains("/")) {
        throw new IllegalArgumentException(
            "not a directory name under the output: '" + directory + "'");
      }
      replaced.add(directory);
    }
    return this;
  }

  /**
   * Declares the files this run reads, as listed before it starts, so that it refuses to run when
   * one of them lies in a directory it would replace (the input would be deleted before it is
   * read).
   *
   * @param files the listed input files
   * @return this run
   */
  public PipelineRun reading(List<MatchResult.Metadata> files) {
    for (MatchResult.Metadata file : files) {
      inputFiles.add(file.resourceId().toString());
    }
    return this;
  }

  /** The pipeline to build the graph on. */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** The format of the outputs. */
  public FileFormat format() {
    return format;
  }

  /** The path of {@code directory} under the output directory. */
  public String output(String directory) {
    return output + "/" + directory;
  }

  /**
   * Writes the dead letters to {@code OUTPUT/dead-letter/} in the output format, as one file.
   *
   * <p>One file because dead letters are few. Fixed sharding also keeps them whole on Beam 2.62's
   * SparkRunner, which lost records of a {@code Flatten} of several steps' outputs written with
   * runner-chosen sharding ({@code EmbeddedRunnersIT} compares every output with the
   * DirectRunner's).
   */
  public void writeDeadLetters(PCollection<DeadLetter> deadLetters) {
    deadLetters.apply(
        "WriteDeadLetters",
        WriteRecords.<DeadLetter>to(output(DEAD_LETTER)).withFormat(format).withNumShards(1));
  }

  /**
   * Runs the pipeline built on {@link #pipeline()}, unless {@code --graphOnly} stops after the
   * picture; then builds its summary, writes it to {@code OUTPUT/summary.json}, prints it and
   * checks it.
   *
   * @param progress the counters the progress lines show
   * @param summarize adds the pipeline's own settings and counts, read from the finished run
   * @param check throws {@link IllegalStateException} when the summary's counts do not add up
   * @return the finished run, or null when {@code --graphOnly} stopped it before it ran
   * @throws IllegalArgumentException if the input lies in a directory this run replaces
   * @throws IllegalStateException if the run does not finish in state DONE, or the check fails
   * @throws IOException if the graph or the summary cannot be written, or an earlier run's files
   *     cannot be deleted
   */
  public @Nullable PipelineResult execute(
      RunProgress progress,
      BiConsumer<RunSummary.Builder, PipelineResult> summarize,
      Consumer<RunSummary> check)
      throws IOException {
    PipelineGraph graph = PipelineGraph.writeIfAsked(pipeline, options);
    if (options.isGraphOnly()) {
      return null;
    }
    clearOutput();
    PipelineResult result = WatchedRun.untilDone(pipeline, options, progress);
    if (graph != null) {
      graph.writeCounts(result, options);
    }
    RunSummary.Builder summary =
        RunSummary.builder(name)
            .setting(RunSummary.Setting.INPUT, input)
            .setting(RunSummary.Setting.OUTPUT, outputAsGiven)
            .setting(RunSummary.Setting.FORMAT, format.toString());
    summarize.accept(summary, result);
    RunSummary built =
        summary
            .runner(options)
            .steps(result)
            .movement(result)
            .wallTimeMillis(System.currentTimeMillis() - startMillis)
            .build();
    built.report(output);
    check.accept(built);
    writeSuccessMarker();
    return result;
  }

  /**
   * Deletes the marker and summary of an earlier run, then the replaced directories and the
   * temporary directories of writes that never finished.
   */
  private void clearOutput() throws IOException {
    List<String> inputs = new ArrayList<>(inputFiles);
    inputs.add(input);
    for (String directory : replaced) {
      for (String path : inputs) {
        if (within(path, output(directory))) {
          throw new IllegalArgumentException(
              "--input="
                  + input
                  + " reads "
                  + path
                  + ", which lies in "
                  + output(directory)
                  + ", a directory this run replaces: give another --output");
        }
      }
    }
    FileSystems.delete(
        List.of(
            FileSystems.matchNewResource(output + "/" + SUCCESS, false),
            FileSystems.matchNewResource(output + "/" + RunSummary.FILE, false)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    for (String directory : replaced) {
      FileTrees.delete(output(directory));
    }
    for (String temporary : FileTrees.directoriesStartingWith(output, BundleFiles.TEMP_PREFIX)) {
      FileTrees.delete(temporary);
    }
    FileTrees.deleteFilesStartingWith(output, RunSummary.TEMP_PREFIX);
  }

  /** True when {@code path} is {@code directory} or lies under it (local paths made absolute). */
  private static boolean within(String path, String directory) {
    String a = normalized(path);
    String d = normalized(directory);
    return a.equals(d) || a.startsWith(d + "/");
  }

  private static String normalized(String path) {
    String trimmed = path.replaceAll("/+$", "");
    Path local = FileTrees.localPath(trimmed);
    return local == null ? trimmed : local.toAbsolutePath().normalize().toString();
  }

  private void writeSuccessMarker() throws IOException {
    FileSystems.create(FileSystems.matchNewResource(output + "/" + SUCCESS, false), "text/plain")
        .close();
  }
}
