package dev.sluice.runners;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the {@code sluice} command in the test's JVM, for the integration tests. */
final class SluiceCommand {

  private SluiceCommand() {}

  /**
   * Runs {@code sluice ARGS} and asserts that it exits 0, with its stderr in the failure message.
   *
   * @return what it printed through its standard-output stream
   */
  static String sluice(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Sluice.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(
        String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8), Sluice.OK, status);
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Starts {@code sluice ARGS} in a JVM of its own, set up as {@code .mvn/jvm.config} sets up every
   * JVM of the build, with the test's classpath; its output and errors go to {@code log}.
   */
  static Process process(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@.mvn/jvm.config");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Sluice.class.getName());
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
