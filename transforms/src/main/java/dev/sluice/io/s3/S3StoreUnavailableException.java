package dev.sluice.io.s3;

/**
 * The object store failed every attempt of the access check of {@link S3Store#prepare}: it answered
 * with server errors or throttling ({@code 5xx}, {@code SlowDown}) or dropped the connections, for
 * as many attempts as the AWS SDK's retry policy allows. Unlike a wrong key or a missing bucket,
 * which are {@code IllegalArgumentException}s, this is no fault of the command line: the same
 * command may succeed later. Its message is one line naming the path.
 */
public final class S3StoreUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  S3StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
