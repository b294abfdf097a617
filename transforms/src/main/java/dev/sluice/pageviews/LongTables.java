package dev.sluice.pageviews;

import java.util.Arrays;

/**
 * Open-addressing hash tables of {@code long} keys, for rollups that key by packed ids: a set
 * ({@link Set}) and a map to counts ({@link Counts}). No boxing, two arrays each, linear probing.
 * Keys must not be {@link #EMPTY}. Not thread-safe.
 */
final class LongTables {

  /** The one key a table cannot hold; marks a free slot. */
  static final long EMPTY = Long.MIN_VALUE;

  private LongTables() {}

  static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  /** A set of longs. */
  static final class Set {
    private long[] keys = empty(1024);
    private int size;

    /** Adds {@code key}; true when it was not there. */
    boolean add(long key) {
      int mask = keys.length - 1;
      for (int s = slot(key, mask); ; s = (s + 1) & mask) {
        if (keys[s] == key) {
          return false;
        }
        if (keys[s] == EMPTY) {
          keys[s] = key;
          if (++size * 2 > keys.length) {
            grow();
          }
          return true;
        }
      }
    }

    int size() {
      return size;
    }

    /** The slots, {@link #EMPTY} where free: iterate and skip those. */
    long[] slots() {
      return keys;
    }

    private void grow() {
      long[] old = keys;
      keys = empty(old.length * 2);
      int mask = keys.length - 1;
      for (long key : old) {
        if (key != EMPTY) {
          int s = slot(key, mask);
          while (keys[s] != EMPTY) {
            s = (s + 1) & mask;
          }
          keys[s] = key;
        }
      }
    }
  }

  /** A map from longs to counts. */
  static final class Counts {
    private long[] keys = empty(1024);
    private long[] counts = new long[1024];
    private int size;

    /** Adds {@code n} to the count of {@code key}. */
    void add(long key, long n) {
      int mask = keys.length - 1;
      for (int s = slot(key, mask); ; s = (s + 1) & mask) {
        if (keys[s] == key) {
          counts[s] += n;
          return;
        }
        if (keys[s] == EMPTY) {
          keys[s] = key;
          counts[s] = n;
          if (++size * 2 > keys.length) {
            grow();
          }
          return;
        }
      }
    }

    int size() {
      return size;
    }

    /** The key slots, {@link #EMPTY} where free. */
    long[] slots() {
      return keys;
    }

    /** The count of the key in slot {@code s}. */
    long countAt(int s) {
      return counts[s];
    }

    private void grow() {
      long[] oldKeys = keys;
      long[] oldCounts = counts;
      keys = empty(oldKeys.length * 2);
      counts = new long[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != EMPTY) {
          int s = slot(oldKeys[i], mask);
          while (keys[s] != EMPTY) {
            s = (s + 1) & mask;
          }
          keys[s] = oldKeys[i];
          counts[s] = oldCounts[i];
        }
      }
    }
  }

  private static long[] empty(int n) {
    long[] keys = new long[n];
    Arrays.fill(keys, EMPTY);
    return keys;
  }
}
