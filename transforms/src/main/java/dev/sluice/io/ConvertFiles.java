package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import dev.sluice.deadletter.DeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads the files of a {@link FilePlan} and writes their records as a Hive-partitioned Parquet tree
 * in the same step: {@code PBegin} in, a {@code WithFailures.Result} out of the final paths written
 * ({@code PCollection<String>}) and the {@code PCollection<DeadLetter>} of records the {@link
 * RecordDecoder} rejects and files that cannot be read, as {@link ReadRecords} gives them and
 * counts them.
 *
 * <p>It writes what {@link ReadRecords} followed by {@link WriteHivePartitioned} write (the same
 * partitions, columns and codec), but no record crosses a step: each worker reads a chunk of
 * neighbouring files and appends each record to its bundle's file of the record's partition ({@link
 * ParquetBundleWriter}); a last step renames the files. The DirectRunner, which holds a step's
 * whole output bundle in memory, then holds one row group per open file instead of every record of
 * a file. Records written are counted as {@value #RECORDS_WRITTEN}: {@code records_read =
 * records_written + bad_records}. A plan with no record writes nothing, not even the root.
 *
 * @param <T> the decoded type; the decoder's coder must be a {@code SchemaCoder} with a flat schema
 */
public final class ConvertFiles<T>
    extends PTransform<PBegin, WithFailures.Result<PCollection<String>, DeadLetter>> {

  /** Counter of records written. */
  public static final String RECORDS_WRITTEN = "records_written";

  private final FilePlan plan;
  private final RecordDecoder<T> decoder;
  private final WriteHivePartitioned<T> write;
  private final int chunks;

  private ConvertFiles(
      FilePlan plan, RecordDecoder<T> decoder, WriteHivePartitioned<T> write, int chunks) {
    this.plan = plan;
    this.decoder = decoder;
    this.write = write;
    this.chunks = chunks;
  }

  /**
   * Reads {@code plan} with {@code decoder} and writes as {@code write} does, in chunks of files
   * for twice this machine's processors.
   */
  public static <T> ConvertFiles<T> of(
      FilePlan plan, RecordDecoder<T> decoder, WriteHivePartitioned<T> write) {
    return new ConvertFiles<>(
        checkArgumentNotNull(plan, "plan must not be null"),
        checkArgumentNotNull(decoder, "decoder must not be null"),
        checkArgumentNotNull(write, "write must not be null"),
        2 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Returns a copy that reads the files in {@code chunks} chunks: a cluster's task slots.
   *
   * @throws IllegalArgumentException unless {@code chunks} is between 1 and 65,536
   */
  public ConvertFiles<T> withChunks(int chunks) {
    if (chunks < 1 || chunks > 65_536) {
      throw new IllegalArgumentException("chunks must be in [1, 65536], got " + chunks);
    }
    return new ConvertFiles<>(plan, decoder, write, chunks);
  }

  @Override
  public WithFailures.Result<PCollection<String>, DeadLetter> expand(PBegin begin) {
    Coder<T> coder = decoder.coder(begin.getPipeline());
    if (!(coder instanceof SchemaCoder)) {
      throw new IllegalArgumentException(
          "ConvertFiles needs a decoder with a schema coder, got " + coder);
    }
    SchemaCoder<T> schemaCoder = (SchemaCoder<T>) coder;
    String avro = AvroUtils.toAvroSchema(schemaCoder.getSchema()).toString();
    String temp = BundleFiles.tempDirectory(write.root());
    TupleTag<KV<String, String>> files = new TupleTag<>() {};
    TupleTag<DeadLetter> failures = new TupleTag<>() {};
    PCollectionTuple written =
        begin
            .apply(
                "ListFiles",
                Create.of(plan.chunks(chunks))
                    .withCoder(KvCoder.of(VarIntCoder.of(), FileSplit.coder())))
            .apply("GroupFilesIntoChunks", GroupByKey.create())
            .apply(
                "ReadAndWriteBundles",
                ParDo.of(
                        new ReadAndWriteFn<>(
                            SplitReader.of(decoder, ReadRecords.STEP),
                            schemaCoder.getToRowFunction(),
                            new ParquetBundleWriter.Spec(
                                avro, write.codec(), temp, write.partitionOf()),
                            files,
                            failures))
                    .withOutputTags(files, TupleTagList.of(failures)));
    return WithFailures.Result.of(
        WriteHivePartitioned.finalizeFiles(written.get(files), write.root(), temp),
        written.get(failures));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("files", plan.files().size()).withLabel("Files to read"))
        .add(DisplayData.item("chunks", chunks).withLabel("File chunks"))
        .include("write", write);
  }

  /** Reads each split of a chunk and appends its records to the bundle's Parquet files. */
  static final class ReadAndWriteFn<T> extends ParquetBundleFn<KV<Integer, Iterable<FileSplit>>> {
    private final SplitReader<T> reader;
    private final SerializableFunction<T, Row> toRow;
    private final TupleTag<DeadLetter> failures;
    private final Counter written = Metrics.counter(ConvertFiles.class, RECORDS_WRITTEN);

    ReadAndWriteFn(
        SplitReader<T> reader,
        SerializableFunction<T, Row> toRow,
        ParquetBundleWriter.Spec spec,
        TupleTag<KV<String, String>> files,
        TupleTag<DeadLetter> failures) {
      super(spec, files);
      this.reader = reader;
      this.toRow = toRow;
      this.failures = failures;
    }

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Iterable<FileSplit>> chunk, MultiOutputReceiver out) {
      for (FileSplit split : chunk.getValue()) {
        reader.read(split, this::writeValue, out.get(failures)::output);
      }
    }

    private void writeValue(T value) {
      try {
        write(toRow.apply(value));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write a Parquet file", e);
      }
      written.inc();
    }
  }
}
