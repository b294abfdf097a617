package dev.sluice.runners;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One subcommand of the {@code sluice} command: a name, a one-line description, the options
 * interface that {@code --help} documents, and what it runs.
 */
final class Subcommand {

  /**
   * Runs a subcommand with its arguments (everything after the subcommand's name) and returns its
   * exit status.
   */
  @FunctionalInterface
  interface Action {
    int run(String[] args) throws Exception;
  }

  private final String name;
  private final String description;
  private final Class<? extends PipelineOptions> options;
  private final Action action;

  Subcommand(
      String name, String description, Class<? extends PipelineOptions> options, Action action) {
    this.name = name;
    this.description = description;
    this.options = options;
    this.action = action;
  }

  String name() {
    return name;
  }

  String description() {
    return description;
  }

  Class<? extends PipelineOptions> options() {
    return options;
  }

  int run(String[] args) throws Exception {
    return action.run(args);
  }
}
