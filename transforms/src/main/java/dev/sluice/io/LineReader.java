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
 * TextIO} and Java's {@code BufferedReader} end them. A line that is not valid UTF-8 is decoded
 * with U+FFFD in place of the malformed bytes, as {@code InputStreamReader} decodes it, and {@link
 * #invalidUtf8()} gives its original bytes so that the caller can reject it rather than pass on
 * altered text.
 */
final class LineReader implements Closeable {
  private static final int BUFFER = 64 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER];
  private int pos;
  private int limit;
  private long bufferStart;
  private byte[] line = new byte[256];
  private byte @Nullable [] invalidUtf8;

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
    invalidUtf8 = null;
    int length = 0;
    boolean any = false;
    while (true) {
      if (pos == limit && !fill()) {
        return any ? decode(line, 0, length) : null;
      }
      any = true;
      int start = pos;
      while (pos < limit && buffer[pos] != '\n' && buffer[pos] != '\r') {
        pos++;
      }
      int chunk = pos - start;
      if (pos < limit && length == 0) {
        // The whole line is in the buffer: decode it from there.
        String text = decode(buffer, start, chunk);
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
        return decode(line, 0, length);
      }
    }
  }

  /**
   * The bytes of the line {@link #readLine} returned last when they are not valid UTF-8 (its text
   * then holds U+FFFD for each malformed sequence), or null when they are.
   */
  byte @Nullable [] invalidUtf8() {
    return invalidUtf8;
  }

  /**
   * Decodes UTF-8 as {@code new String} does, and keeps the bytes when they are malformed. Only a
   * line whose text holds U+FFFD can be malformed, so valid lines are checked by one scan.
   */
  private String decode(byte[] bytes, int offset, int length) {
    String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') >= 0 && StrictUtf8.decode(bytes, offset, length) == null) {
      invalidUtf8 = Arrays.copyOfRange(bytes, offset, offset + length);
    }
    return text;
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
