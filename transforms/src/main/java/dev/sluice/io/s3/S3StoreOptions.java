package dev.sluice.io.s3;

import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Beam's {@link S3Options} ({@code --awsRegion}, {@code --endpoint}, {@code
 * --awsCredentialsProvider}, {@code --s3UploadBufferSizeBytes}, ...) plus what self-hosted
 * S3-compatible stores need. Every Sluice pipeline's options extend it, so its flags parse and
 * {@code --help} lists them.
 *
 * <p>Credentials come from the AWS default provider chain (environment variables {@code
 * AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, system properties, {@code ~/.aws} profiles,
 * container and instance roles) unless {@code --awsCredentialsProvider} names another provider,
 * such as static keys. Sluice never logs or reports them.
 */
public interface S3StoreOptions extends S3Options {

  @Description(
      "Address S3 buckets by path (http://endpoint/bucket/key) instead of by virtual host "
          + "(http://bucket.endpoint/key). Self-hosted stores (MinIO, Ceph, S3Proxy) reached by a "
          + "host name usually need it; an endpoint given as an IP address always uses paths.")
  @Default.Boolean(false)
  boolean getS3PathStyleAccess();

  void setS3PathStyleAccess(boolean pathStyleAccess);
}
