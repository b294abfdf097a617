package dev.sluice.pipelines.report;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * What every Sluice pipeline reports about its run, besides its outputs: progress lines on stderr
 * while it runs ({@link RunProgress}) and, on request, a picture of its graph ({@link
 * PipelineGraph}).
 */
public interface RunOptions extends PipelineOptions {

  @Description(
      "No progress lines on stderr while the pipeline runs; the summary table is still printed.")
  @Default.Boolean(false)
  boolean isQuiet();

  void setQuiet(boolean quiet);

  @Description("Seconds between two progress lines (at least 1).")
  @Default.Integer(5)
  int getProgressSeconds();

  void setProgressSeconds(int seconds);

  @Description(
      "Write the pipeline graph (step names, composite transforms as nested boxes) to this file: "
          + "FILE.dot (Graphviz DOT) or FILE.svg (needs Graphviz 'dot' on the PATH).")
  String getGraph();

  void setGraph(String graph);

  @Description("With --graph: write the graph and stop, without running the pipeline.")
  @Default.Boolean(false)
  boolean isGraphOnly();

  void setGraphOnly(boolean graphOnly);
}
