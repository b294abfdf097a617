package dev.sluice.pipelines.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.util.construction.renderer.PipelineDotRenderer;

/**
 * Writes a pipeline's graph as Graphviz DOT, or as SVG through Graphviz's {@code dot}: one node per
 * primitive step and one nested box per composite transform, labelled with its full step name, laid
 * out top to bottom. Rendered by Beam's {@link PipelineDotRenderer} from the pipeline object
 * itself, before any runner changes it.
 */
public final class PipelineGraph {

  private PipelineGraph() {}

  /**
   * The graph of {@code pipeline} as DOT.
   *
   * @param pipeline a constructed pipeline (not yet run)
   * @return the DOT text
   */
  public static String toDot(Pipeline pipeline) {
    // Beam lays the graph out left to right, which for a pipeline of file writes is a picture
    // tens of thousands of pixels wide; top to bottom reads like the code.
    return PipelineDotRenderer.toDotString(pipeline).replaceFirst("rankdir=LR", "rankdir=TB");
  }

  /**
   * Writes the graph to {@code file}: DOT, or SVG when the name ends in {@code .svg}.
   *
   * @param pipeline a constructed pipeline (not yet run)
   * @param file where to write, local path ending in {@code .dot} or {@code .svg}
   * @throws IllegalArgumentException with a one-line message when the name has another ending, or
   *     an SVG is asked for and Graphviz {@code dot} is not installed
   * @throws IOException if the file cannot be written or {@code dot} fails
   */
  public static void write(Pipeline pipeline, String file) throws IOException {
    String name = file.toLowerCase(Locale.ROOT);
    Path path = Path.of(file).toAbsolutePath();
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    if (name.endsWith(".dot")) {
      Files.writeString(path, toDot(pipeline), StandardCharsets.UTF_8);
    } else if (name.endsWith(".svg")) {
      writeSvg(toDot(pipeline), path);
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
   * Writes the graph when {@code --graph} is given.
   *
   * @param pipeline the constructed pipeline
   * @param options its options
   * @return true when {@code --graphOnly} asks to stop here, without running
   * @throws IllegalArgumentException if {@code --graphOnly} is given without {@code --graph}, or by
   *     {@link #write}
   * @throws IOException if the graph cannot be written
   */
  public static boolean writeIfAsked(Pipeline pipeline, RunOptions options) throws IOException {
    if (options.getGraph() == null) {
      if (options.isGraphOnly()) {
        throw new IllegalArgumentException("--graphOnly needs --graph=FILE.dot or FILE.svg");
      }
      return false;
    }
    write(pipeline, options.getGraph());
    System.err.println("wrote the pipeline graph to " + options.getGraph());
    return options.isGraphOnly();
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
