package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.sluice.runners.FaultInjectingProxy.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code churn} and {@code pageviews} from and to {@code s3://} through {@link
 * FaultInjectingProxy}, in front of S3Proxy: with 10% of requests failing (503 SlowDown, 500, reset
 * connections, downloads cut off halfway, stalled requests) every output equals the same command's
 * on local files, as the AWS SDK retries each failed request and Sluice's readers each cut-off
 * read; with every request failing the command stops with one line and exit status 1 within the
 * SDK's retry budget, and writes nothing that looks complete.
 */
@RunWith(JUnit4.class)
public class S3FaultsIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String BUCKET = "sluice-faults";
  private static final String S3 = "s3://" + BUCKET;

  private static S3ProxyServer server;
  private static FaultInjectingProxy proxy;
  private static Path local;

  @BeforeClass
  public static void startServerAndProxy() throws Exception {
    server = S3ProxyServer.start(TMP.newFolder("s3proxy").toPath());
    try (S3Client client = server.client()) {
      client.createBucket(b -> b.bucket(BUCKET));
    }
    server.upload(Path.of("testdata/churn/input"), BUCKET, "churn/input");
    server.upload(Path.of("testdata/pageviews/input"), BUCKET, "pageviews/input");
    proxy = FaultInjectingProxy.start(server.port(), 42);
    local = TMP.newFolder("local").toPath();
    sluice("churn", "--input=testdata/churn/input", "--output=" + local.resolve("churn"));
    sluice(
        "pageviews", "--input=testdata/pageviews/input", "--output=" + local.resolve("pageviews"));
  }

  @AfterClass
  public static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @After
  public void noFaults() {
    proxy.setFaultRate(0);
  }

  @Test
  public void tenPercentFaultsChangeNoOutput() throws Exception {
    proxy.setFaultRate(0.10);
    long before = proxy.requests();
    sluice(
        throughProxy("churn", "--input=" + S3 + "/churn/input", "--output=" + S3 + "/churn/out"));
    sluice(
        throughProxy(
            "pageviews",
            "--input=" + S3 + "/pageviews/input",
            "--output=" + S3 + "/pageviews/out"));
    Map<Fault, Long> faults = proxy.faults();
    long requests = proxy.requests() - before;
    proxy.setFaultRate(0);
    System.out.printf("10%% faults: %s of %d requests%n", faults, requests);
    for (Fault fault : Fault.values()) {
      assertTrue(faults + " of " + requests + " requests", faults.get(fault) > 0);
    }
    for (String output : List.of("labelled", "stayed", "cancelled")) {
      assertSameRecords(S3 + "/churn/out/" + output, local.resolve("churn").resolve(output));
    }
    assertSameRecords(S3 + "/pageviews/out/pageviews", local.resolve("pageviews/pageviews"));
    // The downloads cut off halfway were read again by the readers, which counted it.
    String summaries = object("churn/out/summary.json") + object("pageviews/out/summary.json");
    assertThat(summaries, containsString("RetryingChannel.read_retries"));
    assertTrue(keys("churn/out/").contains("churn/out/_SUCCESS"));
    assertTrue(keys("pageviews/out/").contains("pageviews/out/_SUCCESS"));
  }

  @Test
  public void everyRequestFailingStopsWithOneLineAndWritesNothingComplete() throws Exception {
    // A stalled answer comes in the end: every other kind fails.
    proxy.setFaultRate(1.0, Fault.SLOW_DOWN_503, Fault.INTERNAL_ERROR_500, Fault.CONNECTION_RESET);
    List<String> args =
        throughProxyList(
            "churn", "--input=" + S3 + "/churn/input", "--output=" + S3 + "/failing/out");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long start = System.nanoTime();
    int status =
        Sluice.run(
            args.toArray(new String[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    double seconds = (System.nanoTime() - start) / 1e9;
    proxy.setFaultRate(0);
    String error = err.toString(StandardCharsets.UTF_8);
    System.out.printf(
        "every request failing: exit %d after %.1f s, %d requests: %s",
        status, seconds, proxy.requests(), error);
    assertEquals(error, Sluice.FAILED, status);
    assertEquals("one line: " + error, 1, error.lines().count());
    assertThat(error, containsString(S3 + "/churn/input"));
    assertThat(error, containsString("the store failed"));
    // The check's budget: 4 attempts, each answered (or stalled 1.5 s) at once.
    assertTrue(seconds + " s: " + error, seconds < 30);
    assertEquals(List.of(), keys("failing/"));
  }

  private static void assertSameRecords(String s3, Path localOutput) {
    sluice(withServer("diff", "--left=" + s3, "--right=" + localOutput, "--quiet=true"));
  }

  private static String object(String key) {
    try (S3Client client = server.client()) {
      return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
    }
  }

  private static List<String> keys(String prefix) {
    try (S3Client client = server.client()) {
      return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
          .map(S3Object::key)
          .collect(Collectors.toList());
    }
  }

  private static String[] throughProxy(String... args) {
    return throughProxyList(args).toArray(new String[0]);
  }

  private static List<String> throughProxyList(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(server.optionsThrough(proxy.port()));
    return all;
  }

  private static String[] withServer(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(server.options());
    return all.toArray(new String[0]);
  }
}
