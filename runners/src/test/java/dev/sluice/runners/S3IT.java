package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code s3://} in and out, against a real S3 API server (S3Proxy on 127.0.0.1, reached as {@code
 * localhost} with path-style addressing): {@code churn}, {@code pageviews} and {@code
 * generate-pageviews} read and write the store, and {@code diff} (itself reading the store) proves
 * each output equals the same command's output on local files. A wrong key, a missing bucket and an
 * unreachable endpoint each fail with one line; the secret key appears in no output.
 */
@RunWith(JUnit4.class)
public class S3IT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String BUCKET = "sluice-it";
  private static final String S3 = "s3://" + BUCKET;

  private static S3ProxyServer server;
  private static Path local;

  @BeforeClass
  public static void startServerAndUploadInputs() throws Exception {
    server = S3ProxyServer.start(TMP.newFolder("s3proxy").toPath());
    try (S3Client client = server.client()) {
      client.createBucket(b -> b.bucket(BUCKET));
    }
    server.upload(Path.of("testdata/churn/input"), BUCKET, "churn/input");
    server.upload(Path.of("testdata/pageviews/input"), BUCKET, "pageviews/input");
    local = TMP.newFolder("local").toPath();
  }

  @AfterClass
  public static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  public void churnReadsAndWritesS3AndNeverShowsTheSecret() throws Exception {
    // In its own JVM, so that everything it prints, logs included, can be searched for the secret.
    String output =
        sluiceProcess(
            withS3("churn", "--input=" + S3 + "/churn/input", "--output=" + S3 + "/churn/out"));
    assertThat(output, containsString("events read"));
    assertThat(output, not(containsString(S3ProxyServer.SECRET_KEY)));
    String summary;
    try (S3Client client = server.client()) {
      summary =
          client
              .getObjectAsBytes(b -> b.bucket(BUCKET).key("churn/out/summary.json"))
              .asUtf8String();
    }
    assertThat(summary, containsString("\"events_read\""));
    assertThat(summary, not(containsString(S3ProxyServer.SECRET_KEY)));
    assertThat(sluice(withS3("churn", "--help")), not(containsString(S3ProxyServer.SECRET_KEY)));

    sluice("churn", "--input=testdata/churn/input", "--output=" + local.resolve("churn"));
    for (String output1 : List.of("labelled", "stayed", "cancelled")) {
      sluice(
          withS3(
              "diff",
              "--left=" + S3 + "/churn/out/" + output1,
              "--right=" + local.resolve("churn").resolve(output1)));
    }
    assertSameDeadLettersBut(
        S3 + "/churn/out/dead-letter",
        local.resolve("churn/dead-letter"),
        S3 + "/churn/input",
        "testdata/churn/input");
  }

  @Test
  public void pageviewsReadsAHiveTreeFromS3AndWritesParquetToS3() throws Exception {
    sluice(
        withS3(
            "pageviews",
            "--input=" + S3 + "/pageviews/input",
            "--output=" + S3 + "/pageviews/out",
            "--format=parquet"));
    sluice(
        "pageviews",
        "--input=testdata/pageviews/input",
        "--output=" + local.resolve("pageviews"),
        "--format=parquet");
    sluice(
        withS3(
            "diff",
            "--left=" + S3 + "/pageviews/out/pageviews",
            "--right=" + local.resolve("pageviews/pageviews")));
    assertSameDeadLettersBut(
        S3 + "/pageviews/out/dead-letter",
        local.resolve("pageviews/dead-letter"),
        S3 + "/pageviews/input",
        "testdata/pageviews/input");
  }

  @Test
  public void generatorWritesTheSameTreeToS3() {
    // The seed distribution writes 24 files; realistic writes 4,032, each an S3 multipart upload.
    sluice(
        withS3("generate-pageviews", "--dist=seed", "--count=20000", "--out=" + S3 + "/generated"));
    sluice(
        "generate-pageviews",
        "--dist=seed",
        "--count=20000",
        "--out=" + local.resolve("generated"));
    sluice(
        withS3(
            "diff",
            "--left=" + S3 + "/generated/**/*.parquet",
            "--right=" + local.resolve("generated") + "/**/*.parquet"));
  }

  @Test
  public void wrongSecretKeyFailsWithOneLine() {
    String error =
        sluiceFails(server.options(S3ProxyServer.ACCESS_KEY_ID, "not-the-secret"), "churn");
    assertThat(error, containsString("SignatureDoesNotMatch"));
    assertThat(error, not(containsString("not-the-secret")));
  }

  @Test
  public void unknownAccessKeyFailsWithOneLine() {
    String error = sluiceFails(server.options("nobody", S3ProxyServer.SECRET_KEY), "churn");
    assertThat(error, containsString("InvalidAccessKeyId"));
    assertThat(error, not(containsString(S3ProxyServer.SECRET_KEY)));
  }

  @Test
  public void missingBucketFailsWithOneLine() {
    String error = sluiceFails(server.options(), "churn", "s3://no-such-bucket/events");
    assertThat(error, containsString("bucket 'no-such-bucket' does not exist"));
  }

  @Test
  public void unreachableEndpointFailsWithOneLine() throws Exception {
    List<String> options = new ArrayList<>(server.options());
    options.set(0, "--endpoint=http://127.0.0.1:1");
    String error = sluiceFails(options, "pageviews");
    assertThat(error, containsString("cannot reach the S3 endpoint http://127.0.0.1:1"));
  }

  /**
   * Dead letters name the file they came from, so the two runs' differ in their input root and in
   * nothing else: {@code diff} writes both sides' differences, and with each root replaced by the
   * same marker they must be the same multiset.
   */
  private static void assertSameDeadLettersBut(
      String s3DeadLetters, Path localDeadLetters, String s3Input, String localInput)
      throws Exception {
    Path differences = TMP.newFolder().toPath();
    List<String> args =
        new ArrayList<>(
            List.of(
                "diff",
                "--left=" + s3DeadLetters,
                "--right=" + localDeadLetters,
                "--output=" + differences));
    args.addAll(server.options());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Sluice.run(
            args.toArray(new String[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(err.toString(StandardCharsets.UTF_8), Sluice.DIFFERENT, status);
    String absoluteLocalInput = Path.of(localInput).toAbsolutePath().toString();
    Map<String, Long> onlyLeft = differences(differences.resolve("only-left"), s3Input);
    Map<String, Long> onlyRight =
        differences(differences.resolve("only-right"), absoluteLocalInput);
    assertThat("dead letters name their source files", onlyLeft.isEmpty(), is(false));
    assertEquals(onlyLeft, onlyRight);
  }

  /** The records of a diff output folder, counted, with {@code root} replaced by a marker. */
  private static Map<String, Long> differences(Path folder, String root) throws Exception {
    Map<String, Long> records = new TreeMap<>();
    ObjectMapper mapper = new ObjectMapper();
    if (!Files.isDirectory(folder)) {
      return records;
    }
    try (Stream<Path> files = Files.list(folder)) {
      Iterable<Path> dataFiles =
          files
                  .filter(Files::isRegularFile)
                  .filter(f -> !f.getFileName().toString().startsWith("."))
              ::iterator;
      for (Path file : dataFiles) {
        for (String line : Files.readAllLines(file)) {
          if (!line.isBlank()) {
            JsonNode node = mapper.readTree(line);
            records.merge(
                node.get("record").asText().replace(root, "<input>"),
                node.get("count").asLong(),
                Long::sum);
          }
        }
      }
    }
    return records;
  }

  /** Runs {@code subcommand} on an S3 input with {@code options}; returns its one-line error. */
  private static String sluiceFails(List<String> options, String subcommand) {
    return sluiceFails(options, subcommand, S3 + "/" + subcommand + "/input");
  }

  private static String sluiceFails(List<String> options, String subcommand, String input) {
    List<String> args =
        new ArrayList<>(
            List.of(
                subcommand,
                "--input=" + input,
                "--output=" + local.resolve("never-" + subcommand)));
    args.addAll(options);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Sluice.run(
            args.toArray(new String[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String error = err.toString(StandardCharsets.UTF_8);
    assertEquals(error, Sluice.USAGE, status);
    assertEquals("one line: " + error, 1, error.lines().count());
    assertThat(error, containsString(input));
    return error;
  }

  private static String[] withS3(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(server.options());
    return all.toArray(new String[0]);
  }

  /** Runs the command in a new JVM; returns everything it printed, logs included. */
  private static String sluiceProcess(String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "@" + new File(".mvn/jvm.config").getAbsolutePath(),
                "-cp",
                classpath,
                Sluice.class.getName()));
    command.addAll(Arrays.asList(args));
    Path log = TMP.newFile().toPath();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(args[0] + " did not finish in 5 minutes");
    }
    String output = Files.readString(log);
    assertEquals(args[0] + " failed:\n" + output, 0, process.exitValue());
    return output;
  }
}
