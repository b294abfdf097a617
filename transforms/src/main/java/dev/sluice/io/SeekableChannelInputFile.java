package dev.sluice.io;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over a file of Beam's file systems, so that parquet-hadoop reads
 * through them (local, {@code s3://}, ...) rather than through Hadoop's, each read retried on a
 * dropped connection ({@link RetryingChannel}).
 */
public final class SeekableChannelInputFile implements InputFile {

  private final MatchResult.Metadata file;

  /** The file {@code file} names; its size is the listed size. */
  public SeekableChannelInputFile(MatchResult.Metadata file) {
    this.file = file;
  }

  @Override
  public long getLength() {
    return file.sizeBytes();
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    ReadableByteChannel opened = RetryingChannel.open(file.resourceId());
    if (!(opened instanceof SeekableByteChannel)) {
      opened.close();
      throw new IOException("the file system cannot seek in " + file.resourceId());
    }
    SeekableByteChannel channel = (SeekableByteChannel) opened;
    return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
      @Override
      public long getPos() throws IOException {
        return channel.position();
      }

      @Override
      public void seek(long newPos) throws IOException {
        channel.position(newPos);
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public String toString() {
    return file.resourceId().toString();
  }
}
