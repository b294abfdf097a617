package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.SeekableChannelInputFile;
import dev.sluice.io.SplitReader;
import java.io.IOException;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Reads Parquet files of {@link PageViewStats}, as {@code pageviews --format=parquet} and {@code
 * rollup --format=parquet} write them: {@code PBegin} in, a {@code WithFailures.Result} out of
 * {@code PCollection<PageViewStats>} and {@code PCollection<DeadLetter>}.
 *
 * <p>Files are named by Beam file patterns, local or {@code s3://} ({@code OUT/pageviews/
 * *.parquet}), or listed already ({@link #of}); a pattern that matches no file fails the pipeline.
 * Files are matched by {@code FileIO.matchAll} and read with parquet-avro's {@code
 * AvroParquetReader}, then converted through the Beam schema of {@code PageViewStats}. A file that
 * cannot be read to the end, or a record without the columns, is one dead letter of step {@value
 * #STEP} (source the file, reason the error; the records read before the damage are kept), counted
 * as {@value #UNREADABLE_FILES}; records are counted as {@value #RECORDS_READ}.
 */
public final class ReadPageViewStats
    extends PTransform<PBegin, WithFailures.Result<PCollection<PageViewStats>, DeadLetter>> {

  /** Step name written into dead letters. */
  public static final String STEP = "ReadPageViewStats";

  /** Counter of records read. */
  public static final String RECORDS_READ = "stats_records_read";

  /** Counter of files that could not be read to the end. */
  public static final String UNREADABLE_FILES = "unreadable_files";

  private final List<String> filepatterns;

  private ReadPageViewStats(List<String> filepatterns) {
    this.filepatterns = filepatterns;
  }

  /**
   * Reads the files matching {@code filepattern}.
   *
   * @throws IllegalArgumentException if it is blank
   */
  public static ReadPageViewStats from(String filepattern) {
    return of(List.of(checkArgumentNotNull(filepattern, "filepattern must not be null")));
  }

  /**
   * Reads {@code files}: paths or patterns, each of which must match a file.
   *
   * @throws IllegalArgumentException if there is none, or one is blank
   */
  public static ReadPageViewStats of(List<String> files) {
    checkArgumentNotNull(files, "files must not be null");
    if (files.isEmpty() || files.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("files must be a non-empty list of paths, got " + files);
    }
    return new ReadPageViewStats(List.copyOf(files));
  }

  @Override
  public WithFailures.Result<PCollection<PageViewStats>, DeadLetter> expand(PBegin begin) {
    SchemaRegistry schemas = begin.getPipeline().getSchemaRegistry();
    Schema schema;
    SerializableFunction<Row, PageViewStats> fromRow;
    try {
      schema = schemas.getSchema(PageViewStats.class);
      fromRow = schemas.getFromRowFunction(PageViewStats.class);
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("PageViewStats has no schema", e);
    }
    TupleTag<PageViewStats> records = new TupleTag<>() {};
    TupleTag<DeadLetter> failures = new TupleTag<>() {};
    PCollectionTuple read =
        begin
            .apply("ListFiles", Create.of(filepatterns).withCoder(StringUtf8Coder.of()))
            .apply(
                "MatchFiles",
                FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
            .apply("OpenFiles", FileIO.readMatches())
            .apply(
                "ReadParquet",
                ParDo.of(new ReadFileFn(schema, fromRow, records, failures))
                    .withOutputTags(records, TupleTagList.of(failures)));
    try {
      return WithFailures.Result.of(
          read.get(records).setCoder(schemas.getSchemaCoder(PageViewStats.class)),
          read.get(failures));
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("PageViewStats has no schema", e);
    }
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(
        DisplayData.item(
                "files",
                filepatterns.size() == 1 ? filepatterns.get(0) : filepatterns.size() + " files")
            .withLabel("Files"));
  }

  /** Reads one file's records; a failure is one dead letter. */
  static final class ReadFileFn extends DoFn<FileIO.ReadableFile, PageViewStats> {
    private final Schema schema;
    private final SerializableFunction<Row, PageViewStats> fromRow;
    private final TupleTag<PageViewStats> records;
    private final TupleTag<DeadLetter> failures;
    private final Counter read = Metrics.counter(ReadPageViewStats.class, RECORDS_READ);
    private final Counter unreadable = Metrics.counter(ReadPageViewStats.class, UNREADABLE_FILES);

    ReadFileFn(
        Schema schema,
        SerializableFunction<Row, PageViewStats> fromRow,
        TupleTag<PageViewStats> records,
        TupleTag<DeadLetter> failures) {
      this.schema = schema;
      this.fromRow = fromRow;
      this.records = records;
      this.failures = failures;
    }

    @ProcessElement
    public void processElement(@Element FileIO.ReadableFile file, MultiOutputReceiver out) {
      String path = file.getMetadata().resourceId().toString();
      long n = 0;
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(new SeekableChannelInputFile(file.getMetadata()))
              .build()) {
        for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
          PageViewStats stats = fromRow.apply(AvroUtils.toBeamRowStrict(record, schema));
          read.inc();
          n++;
          out.get(records).output(stats);
        }
      } catch (IOException | RuntimeException e) {
        unreadable.inc();
        out.get(failures).output(SplitReader.unreadableFile(path, STEP, n, e));
      }
    }
  }
}
