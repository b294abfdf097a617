package dev.sluice.io.s3;

import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The {@link S3ClientBuilderFactory} that Sluice's pipelines use ({@code --s3ClientFactoryClass}):
 * Beam's {@link DefaultS3ClientBuilderFactory} (region, endpoint, credentials, proxy and HTTP
 * settings of {@link S3Options}), plus:
 *
 * <ul>
 *   <li>path-style addressing when {@link S3StoreOptions#getS3PathStyleAccess()} is set;
 *   <li>no {@code x-amz-server-side-encryption-bucket-key-enabled: false} header. Beam 2.62's S3
 *       writer sends it on every multipart upload even when no KMS encryption is asked for; AWS
 *       ignores it, but some S3-compatible stores (S3Proxy) answer 501 Not Implemented. The header
 *       is kept when {@code --bucketKeyEnabled=true}.
 * </ul>
 *
 * <p>Beam instantiates the factory by class name on the launcher and on every worker.
 */
public class S3StoreClientBuilderFactory implements S3ClientBuilderFactory {

  /** The header Beam's writer sends on multipart-upload creation. */
  static final String BUCKET_KEY_HEADER = "x-amz-server-side-encryption-bucket-key-enabled";

  /** Creates the factory; Beam calls this by reflection. */
  public S3StoreClientBuilderFactory() {}

  /**
   * Creates a builder configured from {@code options}.
   *
   * @param options the pipeline's S3 options
   * @return a builder of the synchronous S3 client
   */
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    S3ClientBuilder builder = new DefaultS3ClientBuilderFactory().createBuilder(options);
    ClientOverrideConfiguration current = builder.overrideConfiguration();
    ClientOverrideConfiguration.Builder override =
        current == null ? ClientOverrideConfiguration.builder() : current.toBuilder();
    builder.overrideConfiguration(
        override.addExecutionInterceptor(new OmitDefaultBucketKeyHeader()).build());
    if (options.as(S3StoreOptions.class).getS3PathStyleAccess()) {
      builder.forcePathStyle(true);
    }
    return builder;
  }

  /** Drops {@value #BUCKET_KEY_HEADER} when it only states the default, {@code false}. */
  static final class OmitDefaultBucketKeyHeader implements ExecutionInterceptor {
    @Override
    public SdkHttpRequest modifyHttpRequest(
        Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
      SdkHttpRequest request = context.httpRequest();
      boolean statesDefault =
          request
              .firstMatchingHeader(BUCKET_KEY_HEADER)
              .map("false"::equalsIgnoreCase)
              .orElse(false);
      return statesDefault ? request.toBuilder().removeHeader(BUCKET_KEY_HEADER).build() : request;
    }
  }
}
