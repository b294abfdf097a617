package dev.sluice.runners;

import static dev.sluice.runners.SluiceCommand.sluice;

import java.nio.file.Path;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * A real Flink session cluster on 127.0.0.1 (JobManager and one TaskManager from Maven Central
 * jars), jobs submitted with {@code flink run}, the dependency jar staged once and the code jar
 * with each job (and once with the single shaded jar): both pipelines, and {@code diff} against the
 * DirectRunner for every output (scripts/flink-cluster.sh), and the streaming {@code pageviews} on
 * a Kafka topic.
 */
@RunWith(JUnit4.class)
public class FlinkClusterIT {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String SCRIPT = "scripts/flink-cluster.sh";

  @BeforeClass
  public static void startCluster() throws Exception {
    ClusterRuns.start(SCRIPT, TMP.getRoot().toPath());
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    ClusterRuns.stop(SCRIPT, TMP.getRoot().toPath());
  }

  /**
   * {@code pageviews --streaming=true} submitted to the session cluster (the TaskManager reads the
   * topic): a catch-up run over the replayed bundled tree ends with the batch job's records.
   */
  @Test
  public void streamingPageviewsOnTheClusterEndsWithTheBatchRecords() throws Throwable {
    KafkaBroker kafka = new KafkaBroker(TMP.newFolder("kafka").toPath());
    kafka.before();
    try {
      sluice(
          "produce",
          "--input=testdata/pageviews/input",
          "--kafkaBootstrapServers=" + kafka.bootstrapServers(),
          "--topic=cluster",
          "--partitions=2",
          "--rate=0");
      Path out = TMP.newFolder("stream").toPath().toAbsolutePath();
      ClusterRuns.submit(
          SCRIPT,
          List.of(
              "pageviews",
              "--streaming=true",
              "--kafkaBootstrapServers=" + kafka.bootstrapServers(),
              "--topic=cluster",
              "--output=" + out,
              "--stopAfterIdle=10s"),
          out.resolve("submit.log").toFile());
      StreamingPageViewsIT.assertSameRecords(
          StreamingPageViewsIT.records(Path.of("testdata/pageviews/expected/pageviews.json")),
          StreamingPageViewsIT.lastPanes(StreamingPageViewsIT.panesById(out.resolve("pageviews"))));
    } finally {
      kafka.after();
    }
  }

  @Test
  public void bothPipelinesOnTheClusterEqualTheDirectRunner() throws Exception {
    Path out = TMP.newFolder("out").toPath().toAbsolutePath();
    ClusterRuns.assertClusterEqualsDirectRunner(SCRIPT, out);
  }

  @Test
  public void theOneShadedJarStillRunsOnTheCluster() throws Exception {
    ClusterRuns.assertSingleJarSubmitEqualsDirectRunner(
        SCRIPT, TMP.newFolder("single").toPath().toAbsolutePath());
  }
}
