package dev.sluice.pageviews;

import dev.sluice.movement.HeavyKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.KV;
import org.apache.datasketches.hll.Union;

/**
 * The page-view rollup of one bundle, in flat arrays: strings interned as ids ({@link
 * StringTable}), one group per (customer, url, window) in an open-addressing table, page views per
 * group, the distinct (group, session) pairs in one {@link LongTables.Set} and the (group,
 * referrer) counts in one {@link LongTables.Counts}. Exact, and a few dozen bytes per distinct pair
 * instead of a {@code HashSet} and a {@code TreeMap} per group. {@link #flush} turns it into {@link
 * PartialRollup}s keyed by window and bucket; with a sketch size it sends, per group, the
 * HyperLogLog sketch of its sessions ({@link VisitorSketches}) instead of the session ids. Not
 * thread-safe.
 */
final class RollupAccumulator {

  private final long windowMillis;
  private final int keys;
  final StringTable strings = new StringTable();
  private int[] groupCustomer = new int[1024];
  private int[] groupUrl = new int[1024];
  private long[] groupWindow = new long[1024];
  private long[] groupViews = new long[1024];
  private int[] slots = new int[2048];
  private int groups;
  private final LongTables.Set visitors = new LongTables.Set();
  private final LongTables.Counts referrers = new LongTables.Counts();
  private final int sketchLgK;

  /**
   * @param windowMillis the window size, milliseconds
   * @param keys shuffle keys: each window's groups are cut into this many hash buckets of
   *     (customer, url), and the partials of (window, bucket) spread over this many keys
   * @param sketchLgK 0 to send session ids, or the {@code lgK} of the sketches sent instead
   */
  RollupAccumulator(long windowMillis, int keys, int sketchLgK) {
    this.windowMillis = windowMillis;
    this.keys = keys;
    this.sketchLgK = sketchLgK;
  }

  /** Groups held. */
  int groups() {
    return groups;
  }

  /**
   * Adds one valid view.
   *
   * @param customer interned id
   * @param url interned id
   * @param referrer interned id, or -1 for none
   * @param session interned id
   * @param ts epoch milliseconds, UTC
   */
  void add(int customer, int url, int referrer, int session, long ts) {
    long window = Math.floorDiv(ts, windowMillis);
    int group = group(customer, url, window);
    groupViews[group]++;
    visitors.add(((long) group << 32) | session);
    if (referrer >= 0) {
      referrers.add(((long) group << 32) | referrer, 1);
    }
  }

  private int group(int customer, int url, long window) {
    long key = (((long) customer * 0x9E3779B1L) ^ url) * 31 + window;
    int mask = slots.length - 1;
    for (int s = LongTables.slot(key, mask); ; s = (s + 1) & mask) {
      int g = slots[s] - 1;
      if (g < 0) {
        return addGroup(customer, url, window, s);
      }
      if (groupCustomer[g] == customer && groupUrl[g] == url && groupWindow[g] == window) {
        return g;
      }
    }
  }

  private int addGroup(int customer, int url, long window, int slot) {
    if (groups == groupCustomer.length) {
      groupCustomer = Arrays.copyOf(groupCustomer, groups * 2);
      groupUrl = Arrays.copyOf(groupUrl, groups * 2);
      groupWindow = Arrays.copyOf(groupWindow, groups * 2);
      groupViews = Arrays.copyOf(groupViews, groups * 2);
    }
    int g = groups++;
    groupCustomer[g] = customer;
    groupUrl[g] = url;
    groupWindow[g] = window;
    groupViews[g] = 0;
    slots[slot] = g + 1;
    if (groups * 2 > slots.length) {
      rehash();
    }
    return g;
  }

  private void rehash() {
    slots = new int[slots.length * 2];
    int mask = slots.length - 1;
    for (int g = 0; g < groups; g++) {
      long key = (((long) groupCustomer[g] * 0x9E3779B1L) ^ groupUrl[g]) * 31 + groupWindow[g];
      int s = LongTables.slot(key, mask);
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = g + 1;
    }
  }

  /**
   * Adds each customer's page views in this accumulator to {@code keys}, one weighted count per
   * customer: the heavy keys of the rollup's shuffle, at no cost per view.
   */
  void countCustomers(HeavyKeys keys) {
    LongTables.Counts views = new LongTables.Counts();
    for (int g = 0; g < groups; g++) {
      views.add(groupCustomer[g], groupViews[g]);
    }
    long[] slots = views.slots();
    for (int s = 0; s < slots.length; s++) {
      if (slots[s] != LongTables.EMPTY) {
        keys.add(strings.get((int) slots[s]), views.countAt(s));
      }
    }
  }

  /**
   * The partials of everything added, one per window and hash bucket of (customer, url), keyed by
   * the bucket, so that the shuffle spreads every window over all keys; the accumulator is then to
   * be dropped.
   */
  List<KV<Long, PartialRollup>> flush() {
    // The (group, session) pairs and (group, referrer) counts, by group: compressed rows.
    int[] sessionStart = new int[groups + 1];
    long[] visitorSlots = visitors.slots();
    for (long pair : visitorSlots) {
      if (pair != LongTables.EMPTY) {
        sessionStart[(int) (pair >>> 32) + 1]++;
      }
    }
    for (int g = 0; g < groups; g++) {
      sessionStart[g + 1] += sessionStart[g];
    }
    int[] sessions = new int[sessionStart[groups]];
    int[] fill = Arrays.copyOf(sessionStart, groups);
    for (long pair : visitorSlots) {
      if (pair != LongTables.EMPTY) {
        sessions[fill[(int) (pair >>> 32)]++] = (int) pair;
      }
    }
    int[] referrerStart = new int[groups + 1];
    long[] referrerSlots = referrers.slots();
    for (long pair : referrerSlots) {
      if (pair != LongTables.EMPTY) {
        referrerStart[(int) (pair >>> 32) + 1]++;
      }
    }
    for (int g = 0; g < groups; g++) {
      referrerStart[g + 1] += referrerStart[g];
    }
    int[] referrerIds = new int[referrerStart[groups]];
    long[] referrerViews = new long[referrerStart[groups]];
    fill = Arrays.copyOf(referrerStart, groups);
    for (int s = 0; s < referrerSlots.length; s++) {
      long pair = referrerSlots[s];
      if (pair != LongTables.EMPTY) {
        int at = fill[(int) (pair >>> 32)]++;
        referrerIds[at] = (int) pair;
        referrerViews[at] = referrers.countAt(s);
      }
    }
    Map<Long, List<Integer>> byBucket = new HashMap<>();
    for (int g = 0; g < groups; g++) {
      String customer = strings.get(groupCustomer[g]);
      String url = strings.get(groupUrl[g]);
      int bucket = Math.floorMod(31 * customer.hashCode() + url.hashCode(), keys);
      byBucket.computeIfAbsent(groupWindow[g] * keys + bucket, k -> new ArrayList<>()).add(g);
    }
    List<KV<Long, PartialRollup>> partials = new ArrayList<>(byBucket.size());
    for (Map.Entry<Long, List<Integer>> bucket : byBucket.entrySet()) {
      partials.add(
          KV.of(
              Math.floorMod(bucket.getKey(), (long) keys),
              partial(
                  bucket.getValue(),
                  sessionStart,
                  sessions,
                  referrerStart,
                  referrerIds,
                  referrerViews)));
    }
    return partials;
  }

  /** The partial of {@code members}, groups of one window. */
  private PartialRollup partial(
      List<Integer> members,
      int[] sessionStart,
      int[] sessions,
      int[] referrerStart,
      int[] referrerIds,
      long[] referrerViews) {
    int n = members.size();
    Map<Integer, Integer> local = new HashMap<>();
    List<String> names = new ArrayList<>();
    int[] customers = new int[n];
    int[] urls = new int[n];
    long[] views = new long[n];
    int[] partialSessionStart = new int[n + 1];
    int[] partialReferrerStart = new int[n + 1];
    // Per group, the byte strings that stand for its sessions: the ids, or one sketch.
    byte[][][] sessionValues = new byte[n][][];
    int values = 0;
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      int g = members.get(i);
      customers[i] = local(groupCustomer[g], local, names);
      urls[i] = local(groupUrl[g], local, names);
      views[i] = groupViews[g];
      partialReferrerStart[i + 1] =
          partialReferrerStart[i] + referrerStart[g + 1] - referrerStart[g];
      sessionValues[i] = sessionValues(sessionStart[g], sessionStart[g + 1], sessions);
      for (byte[] value : sessionValues[i]) {
        bytes += value.length;
      }
      values += sessionValues[i].length;
      partialSessionStart[i + 1] = values;
    }
    int[] sessionEnd = new int[values];
    byte[] sessionBytes = new byte[bytes];
    int[] partialReferrers = new int[partialReferrerStart[n]];
    long[] partialReferrerViews = new long[partialReferrerStart[n]];
    int session = 0;
    int offset = 0;
    int referrer = 0;
    for (int i = 0; i < n; i++) {
      int g = members.get(i);
      for (byte[] value : sessionValues[i]) {
        System.arraycopy(value, 0, sessionBytes, offset, value.length);
        offset += value.length;
        sessionEnd[session++] = offset;
      }
      for (int r = referrerStart[g]; r < referrerStart[g + 1]; r++) {
        partialReferrers[referrer] = local(referrerIds[r], local, names);
        partialReferrerViews[referrer++] = referrerViews[r];
      }
    }
    return new PartialRollup(
        groupWindow[members.get(0)] * windowMillis,
        sketchLgK,
        names.toArray(new String[0]),
        customers,
        urls,
        views,
        partialSessionStart,
        sessionEnd,
        sessionBytes,
        partialReferrerStart,
        partialReferrers,
        partialReferrerViews);
  }

  /**
   * What a partial carries for the sessions {@code from} to {@code to} of {@code sessions}: their
   * UTF-8 ids, or, with a sketch size, the one compact sketch of them.
   */
  private byte[][] sessionValues(int from, int to, int[] sessions) {
    if (sketchLgK == 0) {
      byte[][] ids = new byte[to - from][];
      for (int s = from; s < to; s++) {
        ids[s - from] = strings.bytes(sessions[s]);
      }
      return ids;
    }
    Union union = VisitorSketches.newUnion(sketchLgK);
    for (int s = from; s < to; s++) {
      VisitorSketches.addUtf8(union, strings.bytes(sessions[s]));
    }
    return new byte[][] {VisitorSketches.toBytes(union)};
  }

  /** The partial's index of string {@code id}, given one if new. */
  private int local(int id, Map<Integer, Integer> local, List<String> names) {
    Integer index = local.get(id);
    if (index == null) {
      index = names.size();
      local.put(id, index);
      names.add(strings.get(id));
    }
    return index;
  }
}
