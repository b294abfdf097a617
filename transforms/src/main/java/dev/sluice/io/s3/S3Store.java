package dev.sluice.io.s3;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.InstanceBuilder;
import org.checkerframework.checker.nullness.qual.Nullable;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Sets up and checks {@code s3://} access for a pipeline, before it runs.
 *
 * <p>Use {@link #withDefaults} on the command-line arguments, then {@link #prepare} with every
 * input and output path of the pipeline:
 *
 * <pre>{@code
 * Options options = PipelineOptionsFactory.fromArgs(S3Store.withDefaults(args))
 *     .withValidation().as(Options.class);
 * S3Store.prepare(options, options.getInput(), options.getOutput());
 * }</pre>
 *
 * <p>{@link #prepare} lists each {@code s3://} path's bucket once and turns the usual failures into
 * one line: a wrong access key ID, a wrong secret key, a missing bucket, denied access, no
 * credentials or region, or an endpoint that cannot be reached. Server errors, throttling and
 * dropped connections are retried as the pipeline's own requests are ({@value #CHECK_ATTEMPTS}
 * attempts with the SDK's backoff); when every attempt fails, {@link S3StoreUnavailableException}
 * says so in one line. Credentials never appear in its messages.
 */
public final class S3Store {

  /**
   * Sluice's default {@code --s3UploadBufferSizeBytes}: 8 MiB (8,388,608 bytes). Every file being
   * written holds one such buffer (a multipart-upload part), and a worker may write many files at
   * once (up to 20 per bundle in a dynamic write), so Beam's 64 MiB default can exhaust a heap. 8
   * MiB parts allow objects of up to 80 GiB (10,000 parts).
   */
  public static final int DEFAULT_UPLOAD_BUFFER_SIZE_BYTES = 8 << 20;

  /** Region used with {@code --endpoint} when none is configured: self-hosted stores ignore it. */
  static final Region SELF_HOSTED_DEFAULT_REGION = Region.US_EAST_1;

  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(20);

  /** Attempts of the access check: the AWS SDK's default for S3, a first try and 3 retries. */
  static final int CHECK_ATTEMPTS = 4;

  private S3Store() {}

  /**
   * Adds Sluice's S3 defaults to command-line arguments that do not set them: {@code
   * --s3ClientFactoryClass=}{@link S3StoreClientBuilderFactory} and {@code
   * --s3UploadBufferSizeBytes=}{@value #DEFAULT_UPLOAD_BUFFER_SIZE_BYTES}.
   *
   * @param args the arguments as given
   * @return the arguments with the defaults appended
   */
  public static String[] withDefaults(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    addUnlessGiven(all, "s3ClientFactoryClass", S3StoreClientBuilderFactory.class.getName());
    addUnlessGiven(
        all, "s3UploadBufferSizeBytes", String.valueOf(DEFAULT_UPLOAD_BUFFER_SIZE_BYTES));
    return all.toArray(new String[0]);
  }

  private static void addUnlessGiven(List<String> args, String name, String value) {
    String flag = "--" + name;
    if (args.stream().noneMatch(a -> a.equals(flag) || a.startsWith(flag + "="))) {
      args.add(flag + "=" + value);
    }
  }

  /**
   * Registers {@code options} with Beam's {@code FileSystems} and, when any path is an {@code
   * s3://} URI, completes the S3 settings and checks access to each such path's bucket.
   *
   * <p>Completing means: Beam's default client factory is replaced by {@link
   * S3StoreClientBuilderFactory} (a superset of it), and with {@code --endpoint} but no region
   * configured the region is {@code us-east-1}.
   *
   * @param options the pipeline's options; its S3 settings are read through {@link S3StoreOptions}
   * @param paths input and output paths, files, directories or globs; null entries are ignored
   * @throws IllegalArgumentException with a one-line message naming the path and the cause when a
   *     bucket cannot be listed
   * @throws S3StoreUnavailableException with a one-line message naming the path when the store
   *     failed every attempt with server errors, throttling or dropped connections
   */
  public static void prepare(PipelineOptions options, @Nullable String... paths) {
    Set<String> s3Paths = new LinkedHashSet<>();
    for (String path : paths) {
      if (path != null && path.startsWith("s3://")) {
        s3Paths.add(path);
      }
    }
    if (!s3Paths.isEmpty()) {
      S3StoreOptions s3 = options.as(S3StoreOptions.class);
      if (s3.getS3ClientFactoryClass() == DefaultS3ClientBuilderFactory.class) {
        s3.setS3ClientFactoryClass(S3StoreClientBuilderFactory.class);
      }
      if (s3.getEndpoint() != null && s3.getAwsRegion() == null) {
        s3.setAwsRegion(SELF_HOSTED_DEFAULT_REGION);
      }
    }
    FileSystems.setDefaultPipelineOptions(options);
    if (s3Paths.isEmpty()) {
      return;
    }
    S3StoreOptions s3 = options.as(S3StoreOptions.class);
    try (S3Client client = checkingClient(s3)) {
      for (String path : s3Paths) {
        checkAccess(client, s3, path);
      }
    } catch (SdkClientException e) {
      // Building the client failed: no region or no credentials.
      throw new IllegalArgumentException(describe(e, s3, null), e);
    }
  }

  /**
   * A client built like the pipeline's, but with a short timeout and the SDK's default retry
   * conditions (server errors, throttling, I/O errors) for {@value #CHECK_ATTEMPTS} attempts.
   */
  private static S3Client checkingClient(S3StoreOptions options) {
    S3ClientBuilder builder =
        InstanceBuilder.ofType(S3ClientBuilderFactory.class)
            .fromClass(options.getS3ClientFactoryClass())
            .build()
            .createBuilder(options);
    ClientOverrideConfiguration current = builder.overrideConfiguration();
    ClientOverrideConfiguration.Builder override =
        current == null ? ClientOverrideConfiguration.builder() : current.toBuilder();
    return builder
        .overrideConfiguration(
            override
                .retryPolicy(RetryPolicy.builder().numRetries(CHECK_ATTEMPTS - 1).build())
                .apiCallTimeout(CHECK_TIMEOUT)
                .build())
        .build();
  }

  private static void checkAccess(S3Client client, S3StoreOptions options, String path) {
    String bucket = bucketOf(path);
    try {
      client.listObjectsV2(request -> request.bucket(bucket).prefix(listPrefixOf(path)).maxKeys(1));
    } catch (S3Exception e) {
      if (e.statusCode() >= 500 || e.isThrottlingException()) {
        throw unavailable(path, describe(e, bucket), e);
      }
      throw new IllegalArgumentException(path + ": " + describe(e, bucket), e);
    } catch (SdkClientException e) {
      String reason = describe(e, options, bucket);
      if (!reason.startsWith("cannot reach") && dropped(e)) {
        throw unavailable(path, reason, e);
      }
      throw new IllegalArgumentException(path + ": " + reason, e);
    }
  }

  private static S3StoreUnavailableException unavailable(String path, String reason, Exception e) {
    return new S3StoreUnavailableException(
        path + ": the store failed every one of " + CHECK_ATTEMPTS + " attempts; last: " + reason,
        e);
  }

  /** True when the request failed on an I/O error of an open connection (reset, no answer). */
  private static boolean dropped(SdkClientException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  /** The bucket of {@code s3://bucket/key}. */
  static String bucketOf(String path) {
    String rest = path.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException(path + ": no bucket name in the S3 path");
    }
    return bucket;
  }

  /** The key prefix of {@code s3://bucket/key}, up to its first glob character. */
  static String listPrefixOf(String path) {
    String rest = path.substring("s3://".length());
    int slash = rest.indexOf('/');
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    for (int i = 0; i < key.length(); i++) {
      if ("*?[{".indexOf(key.charAt(i)) >= 0) {
        return key.substring(0, i);
      }
    }
    return key;
  }

  private static String describe(S3Exception e, String bucket) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String credentials =
        "check the credentials (the AWS default chain: AWS_ACCESS_KEY_ID and "
            + "AWS_SECRET_ACCESS_KEY, ~/.aws; or --awsCredentialsProvider)";
    if ("InvalidAccessKeyId".equals(code)) {
      return "the store does not know this access key ID (InvalidAccessKeyId); " + credentials;
    }
    if ("SignatureDoesNotMatch".equals(code)) {
      return "the secret access key is wrong for this access key ID (SignatureDoesNotMatch); "
          + credentials;
    }
    if ("NoSuchBucket".equals(code) || (code == null && e.statusCode() == 404)) {
      return "bucket '" + bucket + "' does not exist (NoSuchBucket)";
    }
    if ("PermanentRedirect".equals(code) || e.statusCode() == 301) {
      return "bucket '" + bucket + "' is in another region than --awsRegion (PermanentRedirect)";
    }
    if ("AccessDenied".equals(code) || e.statusCode() == 403) {
      return "access denied to bucket '"
          + bucket
          + "' ("
          + (code == null ? "403" : code)
          + "): the credentials may not list it";
    }
    String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    return "S3 answered "
        + e.statusCode()
        + (code == null ? "" : " " + code)
        + (message == null ? "" : ": " + firstLine(message));
  }

  private static String describe(
      SdkClientException e, S3StoreOptions options, @Nullable String bucket) {
    String message = firstLine(String.valueOf(e.getMessage()));
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException
          || cause instanceof UnknownHostException
          || cause instanceof NoRouteToHostException
          || cause instanceof SocketTimeoutException) {
        return "cannot reach the S3 endpoint "
            + endpointOf(options)
            + " ("
            + cause.getClass().getSimpleName()
            + ": "
            + firstLine(String.valueOf(cause.getMessage()))
            + ")";
      }
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("credentials")) {
      return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use a "
          + "~/.aws profile, or give --awsCredentialsProvider";
    }
    if (lower.contains("region")) {
      return "no AWS region: give --awsRegion (or set AWS_REGION)";
    }
    if (lower.contains("timeout") || lower.contains("timed out")) {
      return "the S3 endpoint "
          + endpointOf(options)
          + " did not answer in "
          + CHECK_TIMEOUT.toSeconds()
          + " s";
    }
    return (bucket == null ? "" : "bucket '" + bucket + "': ") + message;
  }

  private static String endpointOf(S3StoreOptions options) {
    URI endpoint = options.getEndpoint();
    return endpoint != null ? endpoint.toString() : "of AWS region " + options.getAwsRegion();
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
