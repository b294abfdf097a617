package dev.sluice.pipelines.report;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;

/**
 * Runs a pipeline and watches it to the end: a line when it starts, a {@link RunProgress} line on
 * standard error every {@code --progressSeconds} while it runs and one when it ends, unless {@code
 * --quiet}. Runners that run a pipeline attached (the embedded FlinkRunner) return from {@code
 * run()} only when it is finished, so they show the final line only.
 */
public final class WatchedRun {

  private WatchedRun() {}

  /**
   * Runs {@code pipeline} and waits until it finishes.
   *
   * @param pipeline the pipeline to run
   * @param options its options ({@code --quiet}, {@code --progressSeconds})
   * @param progress the counters the progress line shows
   * @return the finished run
   * @throws IllegalStateException if the run ends in a state other than DONE
   */
  public static PipelineResult untilDone(
      Pipeline pipeline, RunOptions options, RunProgress progress) {
    long start = System.currentTimeMillis();
    if (!options.isQuiet()) {
      System.err.println(
          progress.pipeline() + ": running on the " + options.getRunner().getSimpleName());
    }
    PipelineResult result = pipeline.run();
    Duration interval = Duration.standardSeconds(Math.max(1, options.getProgressSeconds()));
    PipelineResult.State state = result.getState();
    while (state == null || !state.isTerminal()) {
      state = result.waitUntilFinish(interval);
      if (!options.isQuiet() && (state == null || !state.isTerminal())) {
        progress.print(result, System.currentTimeMillis() - start, false, System.err);
      }
    }
    if (!options.isQuiet()) {
      progress.print(result, System.currentTimeMillis() - start, true, System.err);
    }
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(progress.pipeline() + " pipeline ended in state " + state);
    }
    return result;
  }
}
