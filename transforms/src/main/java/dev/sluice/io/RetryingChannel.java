package dev.sluice.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * A read channel of a file of Beam's file systems that survives a dropped connection: when a read
 * fails, it opens the file again, seeks to where the failed read started and reads again, up to
 * {@value #RETRIES} times with a growing pause (0.2, 1 and 3 s). An object store's client retries a
 * request that fails before its answer starts (the AWS SDK does); a connection reset while the
 * answer streams in fails the read itself, which only the reader can retry.
 *
 * <p>Every retry is counted as {@value #READ_RETRIES}. A read that fails {@value #RETRIES} + 1
 * times throws its last exception: the caller makes the file a dead letter. Bytes are the same
 * whether or not a read was retried, so the records a reader decodes are too.
 */
final class RetryingChannel implements SeekableByteChannel {

  /** Retries of one read. */
  static final int RETRIES = 3;

  /** The counter of retried reads, in this class's namespace. */
  static final String READ_RETRIES = "read_retries";

  private static final long[] PAUSE_MILLIS = {200, 1_000, 3_000};

  private final Counter retries = Metrics.counter(RetryingChannel.class, READ_RETRIES);
  private final ResourceId file;
  private SeekableByteChannel channel;
  private long position;

  private RetryingChannel(ResourceId file, SeekableByteChannel channel, long position) {
    this.file = file;
    this.channel = channel;
    this.position = position;
  }

  /**
   * Opens {@code file} for reading: a retrying channel when its file system can seek in it (local
   * files, {@code s3://}), else the file system's own channel.
   *
   * @throws IOException if the file cannot be opened
   */
  static ReadableByteChannel open(ResourceId file) throws IOException {
    ReadableByteChannel opened = FileSystems.open(file);
    if (!(opened instanceof SeekableByteChannel)) {
      return opened;
    }
    SeekableByteChannel seekable = (SeekableByteChannel) opened;
    return new RetryingChannel(file, seekable, seekable.position());
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int start = dst.position();
    for (int attempt = 0; ; attempt++) {
      try {
        int n = channel.read(dst);
        if (n > 0) {
          position += n;
        }
        return n;
      } catch (IOException | RuntimeException e) {
        if (attempt == RETRIES) {
          throw e;
        }
        dst.position(start);
        retries.inc();
        reopen(attempt, e);
      }
    }
  }

  private void reopen(int attempt, Exception cause) throws IOException {
    try {
      channel.close();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    try {
      Thread.sleep(PAUSE_MILLIS[attempt]);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while retrying a read of " + file, e);
    }
    ReadableByteChannel opened = FileSystems.open(file);
    channel = (SeekableByteChannel) opened;
    channel.position(position);
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    channel.position(newPosition);
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
