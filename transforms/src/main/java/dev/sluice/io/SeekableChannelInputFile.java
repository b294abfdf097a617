package dev.sluice.io;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.beam.sdk.io.FileIO;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over a Beam {@link FileIO.ReadableFile}, so that parquet-hadoop reads
 * through Beam's file systems (local, {@code s3://}, ...) rather than Hadoop's.
 */
final class SeekableChannelInputFile implements InputFile {

  private final FileIO.ReadableFile file;

  SeekableChannelInputFile(FileIO.ReadableFile file) {
    this.file = file;
  }

  @Override
  public long getLength() {
    return file.getMetadata().sizeBytes();
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    SeekableByteChannel channel = file.openSeekable();
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
    return file.getMetadata().resourceId().toString();
  }
}
