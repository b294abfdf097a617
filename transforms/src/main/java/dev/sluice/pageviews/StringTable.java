package dev.sluice.pageviews;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.parquet.io.api.Binary;

/**
 * Interns UTF-8 strings as dense int ids, by their bytes, so that a rollup compares and stores ids
 * instead of strings, and each distinct string is decoded to a {@code String} at most once. Open
 * addressing with linear probing over the bytes' hash. Not thread-safe.
 */
final class StringTable {
  private byte[][] values = new byte[1024][];
  private int[] hashes = new int[1024];
  private String[] decoded = new String[1024];
  private int[] slots = new int[2048];
  private int size;

  /** How many distinct strings the table holds. */
  int size() {
    return size;
  }

  /** The id of the bytes of {@code value}, interning them if new. */
  int intern(Binary value) {
    ByteBuffer bytes = value.toByteBuffer();
    if (bytes.hasArray()) {
      return intern(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(), null);
    }
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return intern(copy, 0, copy.length, null);
  }

  /** The id of {@code value}, interning it if new. */
  int intern(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    return intern(bytes, 0, bytes.length, value);
  }

  private int intern(byte[] buffer, int offset, int length, String text) {
    int hash = hash(buffer, offset, length);
    int mask = slots.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      int id = slots[slot] - 1;
      if (id < 0) {
        return add(buffer, offset, length, text, hash, slot);
      }
      if (hashes[id] == hash && equal(values[id], buffer, offset, length)) {
        return id;
      }
    }
  }

  private int add(byte[] buffer, int offset, int length, String text, int hash, int slot) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
      hashes = Arrays.copyOf(hashes, size * 2);
      decoded = Arrays.copyOf(decoded, size * 2);
    }
    int id = size++;
    values[id] = Arrays.copyOfRange(buffer, offset, offset + length);
    hashes[id] = hash;
    decoded[id] = text;
    slots[slot] = id + 1;
    if (size * 2 > slots.length) {
      rehash();
    }
    return id;
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    int mask = slots.length - 1;
    for (int id = 0; id < size; id++) {
      int slot = hashes[id] & mask;
      while (slots[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = id + 1;
    }
  }

  /** The UTF-8 bytes of {@code id}; not to be changed. */
  byte[] bytes(int id) {
    return values[id];
  }

  /** The string of {@code id}, decoded once. */
  String get(int id) {
    String text = decoded[id];
    if (text == null) {
      text = new String(values[id], StandardCharsets.UTF_8);
      decoded[id] = text;
    }
    return text;
  }

  private static boolean equal(byte[] value, byte[] buffer, int offset, int length) {
    return value.length == length
        && Arrays.equals(value, 0, length, buffer, offset, offset + length);
  }

  private static int hash(byte[] buffer, int offset, int length) {
    int h = 0x9747b28c;
    for (int i = offset; i < offset + length; i++) {
      h = (h ^ buffer[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
