package dev.sluice.pipelines.options;

import dev.sluice.io.s3.S3Store;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Parses a pipeline's command line into its options interface, with Sluice's defaults. */
public final class PipelineArgs {

  private PipelineArgs() {}

  /**
   * Registers {@code type}, adds the S3 defaults of {@link S3Store#withDefaults} and parses {@code
   * args} with Beam's validation (required options present, values of the right type).
   *
   * @param type the pipeline's options interface
   * @param args command-line arguments such as {@code --input=events.json}
   * @return the parsed options
   * @throws IllegalArgumentException for an unknown option, a missing required one or a bad value
   */
  public static <T extends PipelineOptions> T parse(Class<T> type, String... args) {
    PipelineOptionsFactory.register(type);
    return PipelineOptionsFactory.fromArgs(S3Store.withDefaults(args)).withValidation().as(type);
  }
}
