package dev.sluice.pageviews;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.SeekableChannelInputFile;
import dev.sluice.io.SplitReader;
import java.io.IOException;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MetadataCoderV2;
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
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads Parquet files of {@link PageViewStats}, as {@code pageviews --format=parquet} and {@code
 * rollup --format=parquet} write them: {@code PBegin} in, a {@code WithFailures.Result} out of
 * {@code PCollection<PageViewStats>} and {@code PCollection<DeadLetter>}.
 *
 * <p>Files are named by a Beam file pattern, local or {@code s3://} ({@code OUT/pageviews/
 * *.parquet}), which must match a file, or listed already ({@link #of}). Each is read with
 * parquet-avro's {@code AvroParquetReader} and converted through the Beam schema of {@code
 * PageViewStats}; a nullable column the file lacks (the visitors sketch of a rollup written without
 * one) reads as null. A file that cannot be read to the end, or a record without the columns, is
 * one dead letter of step {@value #STEP} (source the file, reason the error; the records read
 * before the damage are kept), counted as {@value #UNREADABLE_FILES}; records are counted as
 * {@value #RECORDS_READ}.
 */
public final class ReadPageViewStats
    extends PTransform<PBegin, WithFailures.Result<PCollection<PageViewStats>, DeadLetter>> {

  /** Step name written into dead letters. */
  public static final String STEP = "ReadPageViewStats";

  /** Counter of records read. */
  public static final String RECORDS_READ = "stats_records_read";

  /** Counter of files that could not be read to the end. */
  public static final String UNREADABLE_FILES = "unreadable_files";

  private final @Nullable String filepattern;
  private final List<MatchResult.Metadata> files;

  private ReadPageViewStats(@Nullable String filepattern, List<MatchResult.Metadata> files) {
    this.filepattern = filepattern;
    this.files = files;
  }

  /**
   * Reads the files matching {@code filepattern}.
   *
   * @throws IllegalArgumentException if it is blank
   */
  public static ReadPageViewStats from(String filepattern) {
    checkArgumentNotNull(filepattern, "filepattern must not be null");
    if (filepattern.isBlank()) {
      throw new IllegalArgumentException("filepattern must not be blank");
    }
    return new ReadPageViewStats(filepattern, List.of());
  }

  /**
   * Reads {@code files}, listed already (as {@code FilePlan} lists them): they are not matched
   * again.
   *
   * @throws IllegalArgumentException if there is none
   */
  public static ReadPageViewStats of(List<MatchResult.Metadata> files) {
    checkArgumentNotNull(files, "files must not be null");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("files must not be empty");
    }
    return new ReadPageViewStats(null, List.copyOf(files));
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
            .apply(
                "ListFiles",
                filepattern != null
                    ? FileIO.match()
                        .filepattern(filepattern)
                        .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW)
                    : Create.of(files).withCoder(MetadataCoderV2.of()))
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
        DisplayData.item("files", filepattern != null ? filepattern : files.size() + " files")
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
        Schema fileSchema = null;
        int[] columns = null;
        for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
          if (fileSchema == null) {
            fileSchema = AvroUtils.toBeamSchema(record.getSchema());
            columns = columnsOf(fileSchema);
          }
          PageViewStats stats =
              fromRow.apply(row(AvroUtils.toBeamRowStrict(record, fileSchema), columns));
          read.inc();
          n++;
          out.get(records).output(stats);
        }
      } catch (IOException | RuntimeException e) {
        unreadable.inc();
        out.get(failures).output(SplitReader.unreadableFile(path, STEP, n, e));
      }
    }

    /**
     * Per field of {@code PageViewStats}'s schema, its index in a file's schema, or -1 for a
     * nullable column the file lacks (the sketch, in rollups written without one).
     *
     * @throws IllegalArgumentException if the file lacks a column that is not nullable
     */
    private int[] columnsOf(Schema file) {
      int[] columns = new int[schema.getFieldCount()];
      for (int i = 0; i < columns.length; i++) {
        Schema.Field field = schema.getField(i);
        columns[i] = file.hasField(field.getName()) ? file.indexOf(field.getName()) : -1;
        if (columns[i] < 0 && !field.getType().getNullable()) {
          throw new IllegalArgumentException("no column " + field.getName());
        }
      }
      return columns;
    }

    /**
     * The record as a row of {@code PageViewStats}'s schema, null where the file lacks the column,
     * so that the merge routes the record.
     */
    private Row row(Row file, int[] columns) {
      Object[] values = new Object[columns.length];
      for (int i = 0; i < columns.length; i++) {
        values[i] = columns[i] < 0 ? null : file.getValue(columns[i]);
      }
      return Row.withSchema(schema).addValues(values).build();
    }
  }
}
