package dev.sluice.testing;

import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * jqwik generators of text that parsers and formatters get wrong: any UTF-16 code unit (lone
 * surrogates among them), supplementary characters as surrogate pairs, quotes, backslashes, control
 * characters, line and paragraph separators, the byte-order mark and text that looks like JSON.
 */
public final class Texts {

  private static final String[] TRICKY = {
    "\"",
    "\\",
    "\n",
    "\r",
    "\t",
    "\b",
    "\f",
    "\u0000",
    "\u001f",
    "\u007f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\uffff",
    "é",
    "\ud83d\ude00",
    "\ud834\udd1e",
    "\ud800",
    "\udfff",
    "\udc00\ud800",
    "\\u00e9",
    "\\ud800",
    "/",
    "|",
    " ",
    "{",
    "}",
    "[]",
    ":",
    ",",
    "null",
    "0"
  };

  private Texts() {}

  /** Any text up to a few dozen characters, often empty, tricky pieces mixed with random ones. */
  public static Arbitrary<String> any() {
    return Arbitraries.oneOf(
            Arbitraries.strings().all().ofMaxLength(6),
            Arbitraries.strings().ascii().ofMaxLength(6),
            Arbitraries.of(TRICKY))
        .list()
        .ofMaxSize(6)
        .map(pieces -> pieces.stream().collect(Collectors.joining()));
  }

  /** Text with no unpaired surrogate: every character has a UTF-8 encoding. */
  public static Arbitrary<String> wellFormed() {
    return any().filter(text -> !hasUnpairedSurrogate(text));
  }

  /** Whether {@code text} holds a surrogate that is not half of a high-low pair. */
  public static boolean hasUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Text that is not blank ({@link String#isBlank}). */
  public static Arbitrary<String> nonBlank() {
    return any().filter(text -> !text.isBlank());
  }
}
