package dev.sluice.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * UTF-8 decoding that refuses malformed input rather than replacing it with U+FFFD, for readers
 * that must reject a record whose bytes are not text instead of passing it on altered.
 */
public final class StrictUtf8 {

  private StrictUtf8() {}

  /**
   * The text of {@code length} bytes of {@code bytes} from {@code offset}, or null when they are
   * not valid UTF-8.
   */
  public static @Nullable String decode(byte[] bytes, int offset, int length) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, length))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
