package dev.sluice.io.s3;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Unit tests of {@link S3Store} and {@link S3StoreClientBuilderFactory} (S3IT runs them against a
 * server).
 */
@RunWith(JUnit4.class)
public class S3StoreTest {

  @Test
  public void defaultsAreAddedOnlyWhenNotGiven() {
    List<String> added = Arrays.asList(S3Store.withDefaults("--input=x"));
    assertThat(
        added, hasItem("--s3ClientFactoryClass=" + S3StoreClientBuilderFactory.class.getName()));
    assertThat(added, hasItem("--s3UploadBufferSizeBytes=8388608"));

    List<String> given = Arrays.asList(S3Store.withDefaults("--s3UploadBufferSizeBytes=5242880"));
    assertThat(given, hasItem("--s3UploadBufferSizeBytes=5242880"));
    assertThat(given, not(hasItem("--s3UploadBufferSizeBytes=8388608")));
  }

  @Test
  public void bucketAndListPrefixOfPaths() {
    assertEquals("logs", S3Store.bucketOf("s3://logs/2024/events.json"));
    assertEquals("logs", S3Store.bucketOf("s3://logs"));
    assertEquals("2024/events.json", S3Store.listPrefixOf("s3://logs/2024/events.json"));
    assertEquals("tree/year=2024/", S3Store.listPrefixOf("s3://logs/tree/year=2024/**/*.parquet"));
    assertEquals("", S3Store.listPrefixOf("s3://logs"));
    assertThrows(IllegalArgumentException.class, () -> S3Store.bucketOf("s3:///key"));
  }

  @Test
  public void localPathsNeedNoS3Settings() {
    S3StoreOptions options = PipelineOptionsFactory.as(S3StoreOptions.class);
    S3Store.prepare(options, "testdata/churn/input", null, "target/out");
    assertEquals(DefaultS3ClientBuilderFactory.class, options.getS3ClientFactoryClass());
  }

  @Test
  public void bucketKeyHeaderIsDroppedOnlyWhenItStatesTheDefault() {
    S3StoreClientBuilderFactory.OmitDefaultBucketKeyHeader interceptor =
        new S3StoreClientBuilderFactory.OmitDefaultBucketKeyHeader();
    SdkHttpRequest withFalse = request("false");
    SdkHttpRequest withTrue = request("true");
    assertEquals(
        List.of(),
        interceptor
            .modifyHttpRequest(context(withFalse), new ExecutionAttributes())
            .headers()
            .keySet()
            .stream()
            .filter(S3StoreClientBuilderFactory.BUCKET_KEY_HEADER::equals)
            .collect(Collectors.toList()));
    assertEquals(
        List.of("true"),
        interceptor
            .modifyHttpRequest(context(withTrue), new ExecutionAttributes())
            .headers()
            .get(S3StoreClientBuilderFactory.BUCKET_KEY_HEADER));
  }

  @Test
  public void pathStyleIsForcedWhenAsked() {
    S3StoreOptions options =
        PipelineOptionsFactory.fromArgs(
                "--s3PathStyleAccess=true",
                "--awsRegion=us-east-1",
                "--endpoint=http://store.internal:9000")
            .as(S3StoreOptions.class);
    S3ClientBuilder builder = new S3StoreClientBuilderFactory().createBuilder(options);
    try (S3Client client = builder.build()) {
      assertEquals(
          Boolean.TRUE,
          client
              .serviceClientConfiguration()
              .overrideConfiguration()
              .executionInterceptors()
              .stream()
              .anyMatch(i -> i instanceof S3StoreClientBuilderFactory.OmitDefaultBucketKeyHeader));
      URI url = client.utilities().getUrl(b -> b.bucket("logs").key("a.json")).toURI();
      assertEquals("http://store.internal:9000/logs/a.json", url.toString());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static SdkHttpRequest request(String bucketKeyEnabled) {
    return SdkHttpRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(URI.create("http://127.0.0.1:9000/logs/a.json?uploads"))
        .putHeader(S3StoreClientBuilderFactory.BUCKET_KEY_HEADER, bucketKeyEnabled)
        .putHeader("Content-Type", "application/json")
        .build();
  }

  private static Context.ModifyHttpRequest context(SdkHttpRequest request) {
    return new Context.ModifyHttpRequest() {
      @Override
      public SdkHttpRequest httpRequest() {
        return request;
      }

      @Override
      public Optional<RequestBody> requestBody() {
        return Optional.empty();
      }

      @Override
      public Optional<AsyncRequestBody> asyncRequestBody() {
        return Optional.empty();
      }

      @Override
      public SdkRequest request() {
        return null;
      }
    };
  }
}
