package dev.sluice.pageviews;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FileSplit;
import dev.sluice.io.HivePartitions;
import dev.sluice.io.ReadHivePartitioned;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.RecordReader;
import dev.sluice.io.RowDecoder;
import dev.sluice.io.SplitReader;
import dev.sluice.movement.HeavyKeys;
import dev.sluice.movement.ShuffleCounts;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;
import org.joda.time.ReadableInstant;

/**
 * Reads the page views of each file split and rolls them up in the bundle's {@link
 * RollupAccumulator}: a chunk of {@code FileSplit}s in, {@code KV<window and bucket,
 * PartialRollup>} out (at the end of the bundle, or when it holds {@link
 * RollUpPageViewFiles#MAX_GROUPS_PER_BUNDLE} groups), dead letters to the second output. With a
 * sketch size the partials carry each group's sketch of its sessions instead of the session ids.
 *
 * <p>The same records, dead letters and counters as {@code ReadHivePartitioned}, {@link
 * ToPageViews} and {@link KeepTimeRange} one after another: a file that cannot be read is one dead
 * letter of step {@code ReadHivePartitioned} (its views read before the damage kept); a JSON line
 * that is not a view row one of the same step; a row with a null {@code ts}, {@code customer}
 * (after the partition's), {@code url} or {@code session_id} one of step {@code ToPageViews}, the
 * row as its payload. Counters in the namespaces of {@link ReadRecords}, {@link ToPageViews} and
 * {@link KeepTimeRange}.
 */
final class ReadPageViewsFn
    extends DoFn<KV<Integer, Iterable<FileSplit>>, KV<Long, PartialRollup>> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final long windowMillis;
  private final int keys;
  private final long fromMillis;
  private final long toMillis;
  private final int sketchLgK;
  private final TupleTag<KV<Long, PartialRollup>> partials;
  private final TupleTag<DeadLetter> failures;
  private final RowDecoder rows = RowDecoder.of(ToPageViews.COLUMNS, ReadHivePartitioned.STEP);

  private final Counter filesRead = Metrics.counter(ReadRecords.class, ReadRecords.FILES_READ);
  private final Counter recordsRead = Metrics.counter(ReadRecords.class, ReadRecords.RECORDS_READ);
  private final Counter badRecords = Metrics.counter(ReadRecords.class, ReadRecords.BAD_RECORDS);
  private final Counter blankLines =
      Metrics.counter(ReadRecords.class, ReadRecords.BLANK_LINES_SKIPPED);
  private final Counter unreadableFiles =
      Metrics.counter(ReadRecords.class, ReadRecords.UNREADABLE_FILES);
  private final Counter validViews = Metrics.counter(ToPageViews.class, ToPageViews.PAGE_VIEWS);
  private final Counter invalidViews =
      Metrics.counter(ToPageViews.class, ToPageViews.INVALID_PAGE_VIEWS);
  private final Counter outside =
      Metrics.counter(KeepTimeRange.class, KeepTimeRange.OUTSIDE_TIME_RANGE);

  private final HeavyKeys customers = HeavyKeys.of(RollUpPageViewFiles.GROUP_PARTIALS, "customer");
  // What goes into the rollup's shuffle: the partials, and their encoded bytes.
  private final ShuffleCounts<KV<Long, PartialRollup>> shuffled =
      ShuffleCounts.into(
          RollUpPageViewFiles.GROUP_PARTIALS, KvCoder.of(VarLongCoder.of(), PartialRollup.coder()));

  private transient RollupAccumulator accumulator;

  ReadPageViewsFn(
      long windowMillis,
      int keys,
      long fromMillis,
      long toMillis,
      int sketchLgK,
      TupleTag<KV<Long, PartialRollup>> partials,
      TupleTag<DeadLetter> failures) {
    this.windowMillis = windowMillis;
    this.keys = keys;
    this.fromMillis = fromMillis;
    this.toMillis = toMillis;
    this.sketchLgK = sketchLgK;
    this.partials = partials;
    this.failures = failures;
  }

  @StartBundle
  public void startBundle() {
    accumulator = new RollupAccumulator(windowMillis, keys, sketchLgK);
  }

  @ProcessElement
  public void processElement(
      @Element KV<Integer, Iterable<FileSplit>> chunk, MultiOutputReceiver out) {
    for (FileSplit split : chunk.getValue()) {
      read(split, out);
    }
  }

  private void read(FileSplit split, MultiOutputReceiver out) {
    if (split.isFirst()) {
      filesRead.inc();
    }
    FileViews views = new FileViews(split.path(), out);
    try {
      if (split.format() == FileFormat.PARQUET) {
        PageViewParquetScanner.scan(split, accumulator.strings, views);
      } else {
        split.format().reader().read(split, rows, views);
      }
    } catch (IOException | RuntimeException e) {
      if (views.outputting) {
        throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
      }
      unreadableFiles.inc();
      out.get(failures)
          .output(SplitReader.unreadableFile(split, ReadHivePartitioned.STEP, views.records, e));
    }
    if (accumulator.groups() >= RollUpPageViewFiles.MAX_GROUPS_PER_BUNDLE) {
      flush(out.get(partials)::output);
      accumulator = new RollupAccumulator(windowMillis, keys, sketchLgK);
    }
  }

  /**
   * Outputs the accumulator's partials to {@code output}, counting them as what goes into the
   * rollup's shuffle and their customers as its heavy keys.
   */
  private void flush(Consumer<KV<Long, PartialRollup>> output) {
    accumulator.countCustomers(customers);
    for (KV<Long, PartialRollup> partial : accumulator.flush()) {
      output.accept(partial);
      shuffled.add(partial);
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    flush(
        partial ->
            context.output(
                partials, partial, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE));
    accumulator = null;
    customers.publish();
    shuffled.publish();
  }

  /**
   * The views of one file: Parquet rows as interned ids, JSON rows through the format's reader;
   * validated, kept to the time range and added to the accumulator.
   */
  private final class FileViews implements PageViewParquetScanner.Sink, RecordReader.Receiver<Row> {
    private final String path;
    private final MultiOutputReceiver out;
    private final String partitionCustomer;
    private int partitionCustomerId = -2;
    long records;
    boolean outputting;

    FileViews(String path, MultiOutputReceiver out) {
      this.path = path;
      this.out = out;
      this.partitionCustomer = HivePartitions.values(path).get("customer");
    }

    @Override
    public void row(int customer, int url, int referrer, int session, boolean hasTs, long ts) {
      // Whatever fails from here on is this step's fault, not the file's: it fails the bundle.
      outputting = true;
      addRow(customer, url, referrer, session, hasTs, ts);
      outputting = false;
    }

    private void addRow(int customer, int url, int referrer, int session, boolean hasTs, long ts) {
      records++;
      recordsRead.inc();
      if (customer < 0 && partitionCustomer != null) {
        if (partitionCustomerId == -2) {
          partitionCustomerId = accumulator.strings.intern(partitionCustomer);
        }
        customer = partitionCustomerId;
      }
      String missing =
          !hasTs
              ? "ts"
              : customer < 0 ? "customer" : url < 0 ? "url" : session < 0 ? "session_id" : null;
      if (missing != null) {
        StringTable strings = accumulator.strings;
        invalid(
            missing,
            customer < 0 ? null : strings.get(customer),
            url < 0 ? null : strings.get(url),
            referrer < 0 ? null : strings.get(referrer),
            session < 0 ? null : strings.get(session),
            hasTs ? Instant.ofEpochMilli(ts) : null);
        return;
      }
      validViews.inc();
      if (ts < fromMillis || ts >= toMillis) {
        outside.inc();
        return;
      }
      accumulator.add(customer, url, referrer, session, ts);
    }

    @Override
    public void output(Row row) {
      StringTable strings = accumulator.strings;
      String customer = row.getString("customer");
      String url = row.getString("url");
      String referrer = row.getString("referrer");
      String session = row.getString("session_id");
      ReadableInstant ts = row.getDateTime("ts");
      row(
          customer == null ? -1 : strings.intern(customer),
          url == null ? -1 : strings.intern(url),
          referrer == null ? -1 : strings.intern(referrer),
          session == null ? -1 : strings.intern(session),
          ts != null,
          ts == null ? 0 : ts.getMillis());
    }

    @Override
    public void badRecord(String payload, String reason) {
      records++;
      recordsRead.inc();
      badRecords.inc();
      outputting = true;
      send(DeadLetter.of(path, rows.step(), reason, payload));
      outputting = false;
    }

    @Override
    public void blankLine() {
      blankLines.inc();
    }

    /** The dead letter {@link ToPageViews} gives an invalid row, with the same payload. */
    private void invalid(
        String missing, String customer, String url, String referrer, String session, Instant ts) {
      invalidViews.inc();
      ObjectNode node = MAPPER.createObjectNode();
      putNullable(node, "customer", customer);
      putNullable(node, "url", url);
      putNullable(node, "referrer", referrer);
      putNullable(node, "session_id", session);
      putNullable(node, "ts", ts == null ? null : ts.toString());
      send(DeadLetter.of(path, ToPageViews.STEP, "null " + missing, node.toString()));
    }

    private void send(DeadLetter letter) {
      boolean was = outputting;
      outputting = true;
      out.get(failures).output(letter);
      outputting = was;
    }
  }

  private static void putNullable(ObjectNode node, String field, String value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }
}
