package dev.sluice.pipelines.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.values.PValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes a pipeline's graph as Graphviz DOT, or as SVG through Graphviz's {@code dot}: one node per
 * primitive step and one nested box per composite transform, labelled with its full step name, laid
 * out top to bottom, and one edge per {@code PCollection} a step reads. After a run, each edge is
 * labelled with its element count ({@link EdgeCounts}, where the run counted it). The structure is
 * {@linkplain #capture captured} from the constructed pipeline before any runner, or the counting,
 * changes it.
 */
public final class PipelineGraph {

  private final List<String> lines;
  private final List<Edge> edges;

  private record Edge(int from, int to, String pcollection) {}

  private PipelineGraph(List<String> lines, List<Edge> edges) {
    this.lines = lines;
    this.edges = edges;
  }

  /**
   * The graph of {@code pipeline} as it is now.
   *
   * @param pipeline a constructed pipeline (not yet run)
   * @return its picture, without counts
   */
  public static PipelineGraph capture(Pipeline pipeline) {
    List<String> lines = new ArrayList<>();
    List<Edge> edges = new ArrayList<>();
    Map<PValue, Integer> producers = new HashMap<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          private int next;
          private int depth = 1;

          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              line("subgraph cluster_" + next++ + " {");
              depth++;
              line("label = " + quoted(node.getFullName()));
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void leaveCompositeTransform(TransformHierarchy.Node node) {
            if (!node.isRootNode()) {
              depth--;
              line("}");
            }
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            int id = next++;
            line(id + " [label=" + quoted(node.getFullName()) + "]");
            for (PValue input : node.getInputs().values()) {
              Integer from = producers.get(input);
              if (from != null) {
                edges.add(new Edge(from, id, input.getName()));
              }
            }
            for (PValue output : node.getOutputs().values()) {
              producers.put(output, id);
            }
          }

          private void line(String text) {
            lines.add("  ".repeat(depth) + text);
          }
        });
    return new PipelineGraph(lines, edges);
  }

  /**
   * The graph as DOT; edges carry the element counts of {@code counts} where it has them.
   *
   * @param counts the counts of a finished run, or {@link EdgeCounts#none()}
   */
  String toDot(EdgeCounts counts) {
    StringBuilder dot = new StringBuilder("digraph {\n  rankdir=TB\n");
    for (String line : lines) {
      dot.append(line).append('\n');
    }
    for (Edge edge : edges) {
      Long count = counts.count(edge.pcollection());
      dot.append("  ").append(edge.from()).append(" -> ").append(edge.to());
      if (count != null) {
        dot.append(" [label=")
            .append(quoted(String.format(Locale.ROOT, "%,d", count)))
            .append(" tooltip=")
            .append(quoted(edge.pcollection()))
            .append(']');
      }
      dot.append('\n');
    }
    return dot.append("}\n").toString();
  }

  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * Writes the graph to {@code file}: DOT, or SVG when the name ends in {@code .svg}.
   *
   * @param counts the element counts to label the edges with, or {@link EdgeCounts#none()}
   * @param file where to write, local path ending in {@code .dot} or {@code .svg}
   * @throws IllegalArgumentException with a one-line message when the name has another ending, or
   *     an SVG is asked for and Graphviz {@code dot} is not installed
   * @throws IOException if the file cannot be written or {@code dot} fails
   */
  void write(EdgeCounts counts, String file) throws IOException {
    String name = file.toLowerCase(Locale.ROOT);
    Path path = Path.of(file).toAbsolutePath();
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    if (name.endsWith(".dot")) {
      Files.writeString(path, toDot(counts), StandardCharsets.UTF_8);
    } else if (name.endsWith(".svg")) {
      writeSvg(toDot(counts), path);
    } else {
      throw new IllegalArgumentException(
          "--graph=" + file + ": the file name must end in .dot or .svg");
    }
  }

  private static void writeSvg(String dot, Path svg) throws IOException {
    Process process;
    try {
      process =
          new ProcessBuilder("dot", "-Tsvg", "-o", svg.toString())
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--graph="
              + svg.getFileName()
              + ": an SVG needs Graphviz 'dot' on the PATH (install "
              + "the graphviz package), or ask for a .dot file",
          e);
    }
    process.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException(
            "Graphviz dot failed: "
                + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while Graphviz dot ran", e);
    }
  }

  /**
   * Writes the graph when {@code --graph} is given, before the run: without counts. Unless {@code
   * --graphOnly} asks to stop there, it then makes the run count its edges ({@link
   * EdgeCounts#instrument}), for {@link #writeCounts}.
   *
   * @param pipeline the constructed pipeline, not yet run
   * @param options its options
   * @return the captured graph, to be written again with counts after the run; null without {@code
   *     --graph}
   * @throws IllegalArgumentException if {@code --graphOnly} is given without {@code --graph}, or by
   *     {@link #write}
   * @throws IOException if the graph cannot be written
   */
  public static @Nullable PipelineGraph writeIfAsked(Pipeline pipeline, RunOptions options)
      throws IOException {
    if (options.getGraph() == null) {
      if (options.isGraphOnly()) {
        throw new IllegalArgumentException("--graphOnly needs --graph=FILE.dot or FILE.svg");
      }
      return null;
    }
    PipelineGraph graph = capture(pipeline);
    graph.write(EdgeCounts.none(), options.getGraph());
    System.err.println("wrote the pipeline graph to " + options.getGraph());
    if (!options.isGraphOnly()) {
      EdgeCounts.instrument(pipeline);
    }
    return graph;
  }

  /**
   * Writes the graph again after the run, each edge labelled with the element count it had.
   *
   * @param result the finished run
   * @param options its options ({@code --graph})
   * @throws IOException if the graph cannot be written
   */
  public void writeCounts(PipelineResult result, RunOptions options) throws IOException {
    write(EdgeCounts.of(result), options.getGraph());
    System.err.println(
        "wrote the pipeline graph, with each edge's element count, to " + options.getGraph());
  }

  /** True when Graphviz {@code dot} is on the PATH. */
  static boolean dotInstalled() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "dot"))) {
        return true;
      }
    }
    return false;
  }
}
