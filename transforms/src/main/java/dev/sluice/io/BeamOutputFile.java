package dev.sluice.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Parquet {@link OutputFile} that writes through Beam's {@code FileSystems}, so that
 * parquet-hadoop writers reach every path Beam can (local, {@code s3://}, ...). Creating a file
 * replaces any file of the same name.
 */
public final class BeamOutputFile implements OutputFile {

  private final ResourceId file;

  private BeamOutputFile(ResourceId file) {
    this.file = file;
  }

  /**
   * An output file at {@code path}.
   *
   * @param path local path or URI of the file to write
   * @return the output file
   */
  public static BeamOutputFile of(String path) {
    return new BeamOutputFile(FileSystems.matchNewResource(path, /* isDirectory= */ false));
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    OutputStream out =
        Channels.newOutputStream(FileSystems.create(file, "application/vnd.apache.parquet"));
    return new PositionOutputStream() {
      private long position;

      @Override
      public long getPos() {
        return position;
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        position++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    return create(blockSizeHint);
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
