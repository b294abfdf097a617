package dev.sluice.runners;

import dev.sluice.io.s3.S3StoreUnavailableException;
import dev.sluice.pipelines.churn.ChurnPipeline;
import dev.sluice.pipelines.convert.ConvertPipeline;
import dev.sluice.pipelines.diff.DiffPipeline;
import dev.sluice.pipelines.pageviews.GeneratePageViews;
import dev.sluice.pipelines.pageviews.PageViewsPipeline;
import dev.sluice.pipelines.pageviews.ProducePageViews;
import dev.sluice.pipelines.rollup.RollupPipeline;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The {@code sluice} command: {@code sluice SUBCOMMAND [--option=value ...]}.
 *
 * <p>{@code sluice --help} lists the subcommands; {@code sluice SUBCOMMAND --help} lists every
 * option of that subcommand with its description, Beam's own options ({@code --runner}, ...)
 * included. The runner is the DirectRunner unless {@code --runner} names another ({@code
 * SparkRunner}, {@code FlinkRunner}); {@link RunnerDefaults} adds what each needs to run embedded
 * on this machine.
 *
 * <p>Exit statuses, each with one meaning ({@link #EXIT_STATUSES}): 0 success; 1 the pipeline
 * failed at run time (one line, then the stack trace); 2 a usage error (unknown subcommand or
 * option, missing or unusable value, input that matches nothing), one line on stderr; 3 the JVM ran
 * out of memory ({@code -XX:+ExitOnOutOfMemoryError} in {@code .mvn/jvm.config}, which also runs
 * {@code scripts/out-of-memory} to print one line with the two fixes); 4 {@code diff} found
 * differences.
 */
public final class Sluice {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  /** Set by the JVM itself: {@code -XX:+ExitOnOutOfMemoryError} always exits with 3. */
  static final int OUT_OF_MEMORY = 3;

  static final int DIFFERENT = 4;

  /** The exit statuses, as {@code --help} lists them. */
  static final String EXIT_STATUSES =
      "Exit status: 0 done; 1 the pipeline failed; 2 usage error; "
          + OUT_OF_MEMORY
          + " out of memory; "
          + DIFFERENT
          + " diff found differences.";

  private static final Pattern UNKNOWN_OPTION =
      Pattern.compile("missing a property named '([^']+)'");
  private static final Pattern MISSING_OPTION =
      Pattern.compile("Missing required value for \\[--([^,\\]]+)");

  /** A JSON field holding a credential, up to the end of its value. */
  private static final Pattern SECRET_FIELD =
      Pattern.compile(
          "((?i:\"?(?:secretAccessKey|sessionToken|secretKey|password|webIdentityToken)\"?)"
              + "\\s*[:=]\\s*\"?)[^\",}\\s]*");

  private static final Map<String, Subcommand> SUBCOMMANDS = new LinkedHashMap<>();

  static {
    add(
        new Subcommand(
            "churn",
            "Label a Sparkify-format event log with churn: labelled, stayed and cancelled events.",
            ChurnPipeline.Options.class,
            args -> {
              ChurnPipeline.run(ChurnPipeline.parseOptions(args));
              return OK;
            }));
    add(
        new Subcommand(
            "convert",
            "Convert a Sparkify-format event log to zstd Parquet, as a Hive tree by event date with "
                + "--partitionBy=day|hour.",
            ConvertPipeline.Options.class,
            args -> {
              ConvertPipeline.run(ConvertPipeline.parseOptions(args));
              return OK;
            }));
    add(
        new Subcommand(
            "pageviews",
            "Roll page views up per customer, url and hour from a Hive-partitioned tree, or from "
                + "a Kafka topic with --streaming=true.",
            PageViewsPipeline.Options.class,
            args -> {
              PageViewsPipeline.run(PageViewsPipeline.parseOptions(args));
              return OK;
            }));
    add(
        new Subcommand(
            "rollup",
            "Merge Parquet rollups (pageviews --format=parquet) into coarser windows, --window=1d "
                + "or 1w, through their visitors sketches, without reading a raw view.",
            RollupPipeline.Options.class,
            args -> {
              RollupPipeline.run(RollupPipeline.parseOptions(args));
              return OK;
            }));
    add(
        new Subcommand(
            "produce",
            "Replay a page-view tree to a Kafka topic in ts order at --rate views/s, some late.",
            ProducePageViews.Options.class,
            args -> {
              ProducePageViews.run(ProducePageViews.parseOptions(args), System.out);
              return OK;
            }));
    add(
        new Subcommand(
            "generate-pageviews",
            "Write a deterministic Hive-partitioned Parquet tree of page views (seed or realistic).",
            GeneratePageViews.Options.class,
            args -> {
              GeneratePageViews.run(GeneratePageViews.parseOptions(args));
              return OK;
            }));
    add(
        new Subcommand(
            "diff",
            "Compare two outputs (JSON lines or Parquet) as multisets; exit "
                + DIFFERENT
                + " when they differ.",
            DiffPipeline.Options.class,
            args -> DiffPipeline.run(DiffPipeline.parseOptions(args)) ? OK : DIFFERENT));
  }

  private Sluice() {}

  private static void add(Subcommand subcommand) {
    SUBCOMMANDS.put(subcommand.name(), subcommand);
  }

  /**
   * Runs the command and exits with its status.
   *
   * @param args the subcommand and its options
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command.
   *
   * @param args the subcommand and its options
   * @param out where help and the run summary go
   * @param err where errors go
   * @return the exit status: {@value #OK}, {@value #FAILED}, {@value #USAGE} or {@value #DIFFERENT}
   *     ({@value #OUT_OF_MEMORY} is the JVM's own)
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      usage(err);
      return USAGE;
    }
    if (isHelp(args[0])) {
      usage(out);
      return OK;
    }
    Subcommand subcommand = SUBCOMMANDS.get(args[0]);
    if (subcommand == null) {
      err.println("sluice: unknown subcommand '" + args[0] + "'; run 'sluice --help' to list them");
      return USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.stream(rest).anyMatch(Sluice::isHelp)) {
      out.println("sluice " + subcommand.name() + ": " + subcommand.description());
      out.println();
      PipelineOptionsFactory.printHelp(out, subcommand.options());
      out.println(EXIT_STATUSES);
      return OK;
    }
    try {
      return subcommand.run(RunnerDefaults.apply(rest));
    } catch (IllegalArgumentException e) {
      err.println(redact("sluice " + subcommand.name() + ": " + usageMessage(e, subcommand)));
      return USAGE;
    } catch (S3StoreUnavailableException e) {
      err.println(redact("sluice " + subcommand.name() + ": failed: " + e.getMessage()));
      return FAILED;
    } catch (Exception e) {
      err.println(redact("sluice " + subcommand.name() + ": failed: " + rootMessage(e)));
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      err.print(redact(trace.toString()));
      return FAILED;
    }
  }

  /**
   * Masks credential values in a message: Beam's option parser quotes a value it cannot parse, such
   * as a malformed {@code --awsCredentialsProvider} JSON with its secret key.
   */
  static String redact(String message) {
    return SECRET_FIELD.matcher(message).replaceAll("$1****");
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help")
        || arg.equals("-h")
        || arg.equals("help")
        || arg.startsWith("--help=");
  }

  private static void usage(PrintStream out) {
    out.println("Usage: sluice SUBCOMMAND [--option=value ...] [--runner=DirectRunner]");
    out.println();
    out.println("Subcommands:");
    for (Subcommand s : SUBCOMMANDS.values()) {
      out.printf("  %-20s %s%n", s.name(), s.description());
    }
    out.println();
    out.println("Run 'sluice SUBCOMMAND --help' for the options of one subcommand.");
    out.println(EXIT_STATUSES);
  }

  private static String usageMessage(IllegalArgumentException e, Subcommand subcommand) {
    String message = firstLine(rootMessage(e));
    Matcher unknown = UNKNOWN_OPTION.matcher(message);
    if (unknown.find()) {
      return "unknown option --"
          + unknown.group(1)
          + "; run 'sluice "
          + subcommand.name()
          + " --help' to list the options";
    }
    Matcher missing = MISSING_OPTION.matcher(message);
    if (missing.find()) {
      return "missing required option --"
          + missing.group(1)
          + "; run 'sluice "
          + subcommand.name()
          + " --help' to list the options";
    }
    return message;
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    return cause == e || e.getMessage() == null ? message : firstLine(e.getMessage());
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
