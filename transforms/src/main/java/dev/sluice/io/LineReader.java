package dev.sluice.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads UTF-8 lines from a stream and knows the byte offset of each, so that a byte range of a file
 * can be read line by line. Lines end at {@code \n}, {@code \r\n} or {@code \r}, as Beam's {@code
 * TextIO} and Java's {@code BufferedReader} end them; malformed UTF-8 becomes U+FFFD, as {@code
 * InputStreamReader} decodes it.
 */
final class LineReader implements Closeable {
  private static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER];
  private int pos;
  private int limit;
  private long bufferStart;
  private byte[] line = new byte[256];

  /**
   * @param in the stream, positioned at byte {@code offset} of its file
   * @param offset the file offset of the stream's first byte
   */
  LineReader(InputStream in, long offset) {
    this.in = in;
    this.bufferStart = offset;
  }

  /**
   * Skips a UTF-8 byte-order mark ({@code EF BB BF}) if the stream starts with one, as Beam's text
   * reader does. Call before reading anything.
   */
  void skipByteOrderMark() throws IOException {
    if (pos == limit && !fill()) {
      return;
    }
    while (limit - pos < 3) {
      int n = in.read(buffer, limit, buffer.length - limit);
      if (n < 0) {
        break;
      }
      limit += n;
    }
    if (limit - pos >= 3
        && (buffer[pos] & 0xff) == 0xEF
        && (buffer[pos + 1] & 0xff) == 0xBB
        && (buffer[pos + 2] & 0xff) == 0xBF) {
      pos += 3;
    }
  }

  /** The file offset of the next byte to be read. */
  long position() {
    return bufferStart + pos;
  }

  /** The next byte, or -1 at the end of the stream. */
  int read() throws IOException {
    if (pos == limit && !fill()) {
      return -1;
    }
    return buffer[pos++] & 0xff;
  }

  /** The next byte without consuming it, or -1 at the end of the stream. */
  int peek() throws IOException {
    if (pos == limit && !fill()) {
      return -1;
    }
    return buffer[pos] & 0xff;
  }

  /**
   * Reads the next line, without its terminator.
   *
   * @return the line, or null at the end of the stream
   */
  @Nullable String readLine() throws IOException {
    int length = 0;
    boolean any = false;
    while (true) {
      if (pos == limit && !fill()) {
        return any ? new String(line, 0, length, StandardCharsets.UTF_8) : null;
      }
      any = true;
      int start = pos;
      while (pos < limit && buffer[pos] != '\n' && buffer[pos] != '\r') {
        pos++;
      }
      int chunk = pos - start;
      if (pos < limit && length == 0) {
        // The whole line is in the buffer: decode it from there.
        String text = new String(buffer, start, chunk, StandardCharsets.UTF_8);
        endLine();
        return text;
      }
      if (length + chunk > line.length) {
        line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
      }
      System.arraycopy(buffer, start, line, length, chunk);
      length += chunk;
      if (pos < limit) {
        endLine();
        return new String(line, 0, length, StandardCharsets.UTF_8);
      }
    }
  }

  /** Skips the rest of the current line and its terminator. */
  void skipLine() throws IOException {
    int b;
    while ((b = read()) != -1) {
      if (b == '\n') {
        return;
      }
      if (b == '\r') {
        if (peek() == '\n') {
          pos++;
        }
        return;
      }
    }
  }

  /** Consumes the terminator at {@code pos}: {@code \n}, {@code \r} or {@code \r\n}. */
  private void endLine() throws IOException {
    if (buffer[pos++] == '\r' && peek() == '\n') {
      pos++;
    }
  }

  private boolean fill() throws IOException {
    bufferStart += limit;
    pos = 0;
    limit = 0;
    int n;
    do {
      n = in.read(buffer, 0, buffer.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
