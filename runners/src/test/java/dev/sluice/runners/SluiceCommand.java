package dev.sluice.runners;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

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
}
