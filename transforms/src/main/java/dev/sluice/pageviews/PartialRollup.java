package dev.sluice.pageviews;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.VarInt;

/**
 * The rollup of some of the views of one window: for each (customer, url) group its page views, its
 * distinct session ids (exact: their UTF-8 bytes) or, when {@link #sketchLgK} is set, one
 * HyperLogLog sketch of them ({@link VisitorSketches}), and its referrer counts. What {@link
 * RollUpPageViewFiles} sends to the shuffle instead of the views, as a few flat arrays whatever the
 * number of groups: customers, urls and referrers as indexes into one array of the partial's
 * distinct strings; sessions as ranges of one byte array, per group a run of them.
 */
final class PartialRollup {
  final long windowStart;

  /**
   * 0 when each group's sessions are its session ids; else the {@code lgK} of the one compact
   * sketch that stands for each group's sessions.
   */
  final int sketchLgK;

  /** The distinct customers, urls and referrers of the partial. */
  final String[] strings;

  /** Per group, its customer: an index into {@link #strings}. */
  final int[] customers;

  /** Per group, its url: an index into {@link #strings}. */
  final int[] urls;

  final long[] pageViews;

  /** The sessions of group {@code g} are {@code sessionStart[g]} to {@code sessionStart[g + 1]}. */
  final int[] sessionStart;

  /**
   * Session {@code i} is bytes {@code sessionEnd[i - 1]} (0 for the first) to {@code
   * sessionEnd[i]}.
   */
  final int[] sessionEnd;

  final byte[] sessionBytes;

  /**
   * The referrers of group {@code g} are {@code referrerStart[g]} to {@code referrerStart[g + 1]}.
   */
  final int[] referrerStart;

  /** Per referrer entry, the referrer: an index into {@link #strings}. */
  final int[] referrers;

  final long[] referrerViews;

  PartialRollup(
      long windowStart,
      int sketchLgK,
      String[] strings,
      int[] customers,
      int[] urls,
      long[] pageViews,
      int[] sessionStart,
      int[] sessionEnd,
      byte[] sessionBytes,
      int[] referrerStart,
      int[] referrers,
      long[] referrerViews) {
    this.windowStart = windowStart;
    this.sketchLgK = sketchLgK;
    this.strings = strings;
    this.customers = customers;
    this.urls = urls;
    this.pageViews = pageViews;
    this.sessionStart = sessionStart;
    this.sessionEnd = sessionEnd;
    this.sessionBytes = sessionBytes;
    this.referrerStart = referrerStart;
    this.referrers = referrers;
    this.referrerViews = referrerViews;
  }

  /** How many (customer, url) groups it holds. */
  int groups() {
    return customers.length;
  }

  /** Whether each group carries a sketch instead of its session ids. */
  boolean hasSketches() {
    return sketchLgK > 0;
  }

  /** The distinct sessions of group {@code g}: counted, or estimated from its sketch. */
  long visitors(int g) {
    if (hasSketches()) {
      ByteBuffer sketch = session(sessionStart[g]);
      return VisitorSketches.estimate(
          Arrays.copyOfRange(
              sketch.array(), sketch.position(), sketch.position() + sketch.remaining()));
    }
    return sessionStart[g + 1] - sessionStart[g];
  }

  /** Session {@code i}'s bytes, as a buffer that compares and hashes by content. */
  ByteBuffer session(int i) {
    int from = i == 0 ? 0 : sessionEnd[i - 1];
    return ByteBuffer.wrap(sessionBytes, from, sessionEnd[i] - from);
  }

  /** The coder of partials. */
  static Coder<PartialRollup> coder() {
    return PartialRollupCoder.INSTANCE;
  }

  private static final class PartialRollupCoder extends AtomicCoder<PartialRollup> {
    static final PartialRollupCoder INSTANCE = new PartialRollupCoder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();
    private static final VarLongCoder LONG = VarLongCoder.of();

    @Override
    public void encode(PartialRollup partial, OutputStream out) throws IOException {
      LONG.encode(partial.windowStart, out);
      VarInt.encode(partial.sketchLgK, out);
      VarInt.encode(partial.strings.length, out);
      for (String string : partial.strings) {
        STRING.encode(string, out);
      }
      int n = partial.groups();
      VarInt.encode(n, out);
      for (int g = 0; g < n; g++) {
        VarInt.encode(partial.customers[g], out);
        VarInt.encode(partial.urls[g], out);
        VarInt.encode(partial.pageViews[g], out);
        VarInt.encode(partial.sessionStart[g + 1] - partial.sessionStart[g], out);
        VarInt.encode(partial.referrerStart[g + 1] - partial.referrerStart[g], out);
      }
      int sessions = partial.sessionStart[n];
      for (int i = 0; i < sessions; i++) {
        VarInt.encode(partial.sessionEnd[i] - (i == 0 ? 0 : partial.sessionEnd[i - 1]), out);
      }
      int bytes = sessions == 0 ? 0 : partial.sessionEnd[sessions - 1];
      out.write(partial.sessionBytes, 0, bytes);
      for (int r = 0; r < partial.referrerStart[n]; r++) {
        VarInt.encode(partial.referrers[r], out);
        VarInt.encode(partial.referrerViews[r], out);
      }
    }

    @Override
    public PartialRollup decode(InputStream in) throws IOException {
      long windowStart = LONG.decode(in);
      int sketchLgK = VarInt.decodeInt(in);
      String[] strings = new String[VarInt.decodeInt(in)];
      for (int i = 0; i < strings.length; i++) {
        strings[i] = STRING.decode(in);
      }
      int n = VarInt.decodeInt(in);
      int[] customers = new int[n];
      int[] urls = new int[n];
      long[] pageViews = new long[n];
      int[] sessionStart = new int[n + 1];
      int[] referrerStart = new int[n + 1];
      for (int g = 0; g < n; g++) {
        customers[g] = VarInt.decodeInt(in);
        urls[g] = VarInt.decodeInt(in);
        pageViews[g] = VarInt.decodeLong(in);
        sessionStart[g + 1] = sessionStart[g] + VarInt.decodeInt(in);
        referrerStart[g + 1] = referrerStart[g] + VarInt.decodeInt(in);
      }
      int[] sessionEnd = new int[sessionStart[n]];
      for (int i = 0; i < sessionEnd.length; i++) {
        sessionEnd[i] = (i == 0 ? 0 : sessionEnd[i - 1]) + VarInt.decodeInt(in);
      }
      byte[] sessionBytes =
          new byte[sessionEnd.length == 0 ? 0 : sessionEnd[sessionEnd.length - 1]];
      new DataInputStream(in).readFully(sessionBytes);
      int[] referrers = new int[referrerStart[n]];
      long[] referrerViews = new long[referrerStart[n]];
      for (int r = 0; r < referrers.length; r++) {
        referrers[r] = VarInt.decodeInt(in);
        referrerViews[r] = VarInt.decodeLong(in);
      }
      return new PartialRollup(
          windowStart,
          sketchLgK,
          strings,
          customers,
          urls,
          pageViews,
          sessionStart,
          sessionEnd,
          sessionBytes,
          referrerStart,
          referrers,
          referrerViews);
    }
  }
}
