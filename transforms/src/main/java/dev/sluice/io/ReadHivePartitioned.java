package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.deadletter.DeadLetter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MetadataCoderV2;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * Reads a Hive-style partitioned tree of Parquet or JSON-lines files into rows: {@code PBegin} in,
 * a {@code WithFailures.Result} out whose {@code output()} is a {@code PCollection<Row>} and whose
 * {@code failures()} is the {@code PCollection<DeadLetter>} of unreadable files and records.
 *
 * <p>The tree is {@code ROOT/key=value/.../file}, e.g. {@code
 * ROOT/year=2017/month=09/day=17/hour=10/customer=a.com/part-0.parquet}. Files ending in {@code
 * .parquet} are read as Parquet (any codec parquet-hadoop reads without a native library:
 * uncompressed, Snappy, gzip, zstd); files ending in {@code .json}, {@code .jsonl} or either with
 * {@code .gz} as JSON lines; other files, and names starting with {@code .} or {@code _}, are not
 * data.
 *
 * <p>The output schema is the given columns, all nullable, followed by the requested partition keys
 * that are not columns, as nullable strings. Each row gets its file's partition values (the strings
 * of the path, zero padding kept); a column that is also a partition key takes the file's value,
 * and the partition value only where the file has none.
 *
 * <p>Reads only what it needs. Partitions are found on the launcher, as Spark's driver finds them,
 * by listing {@code ROOT/**}; with {@link #withTimeRange} those whose {@code year/month/day/hour}
 * span misses {@code [from, to)} are pruned without opening a file ({@link #plan()} reports the
 * counts). Parquet files are read with the columns of the schema only (a projected read schema),
 * row group by row group. Column types: {@code STRING} from Parquet strings; {@code DATETIME} from
 * {@code INT64} timestamps in milliseconds, microseconds or nanoseconds (a plain {@code INT64} is
 * taken as epoch milliseconds) and from {@code INT96} (as Spark and Hive write it); {@code INT64},
 * {@code INT32}, {@code DOUBLE}, {@code BOOLEAN} from the same Parquet types. In JSON lines a
 * {@code DATETIME} is an ISO-8601 string (UTC unless it says otherwise) or epoch milliseconds.
 *
 * <p>Errors. A file that cannot be read (corrupt, or a column of an unconvertible type) gives one
 * dead letter with the file's path as payload; the records read from it before the error stay in
 * the output, and the reason says how many. A JSON line that is not an object or has a field of the
 * wrong type gives a dead letter with the line. Rows are not checked for nulls: that is the
 * caller's rule to apply. Counters in this class's namespace: {@value #FILES_READ}, {@value
 * #RECORDS_READ} (every record met, good or bad), {@value #UNREADABLE_FILES} and {@value
 * #BAD_RECORDS}, so that {@code records_read = rows output + bad_records}.
 *
 * <p>Each file is read whole by one worker; files are spread across workers. Output is in the
 * global window.
 *
 * <pre>{@code
 * Schema columns = Schema.builder().addNullableStringField("url")
 *     .addNullableField("ts", Schema.FieldType.DATETIME).build();
 * WithFailures.Result<PCollection<Row>, DeadLetter> rows = p.apply("ReadPageViews",
 *     ReadHivePartitioned.from("s3://logs/pageviews", columns).withPartitionKeys("customer"));
 * }</pre>
 */
public final class ReadHivePartitioned
    extends PTransform<PBegin, WithFailures.Result<PCollection<Row>, DeadLetter>> {

  /** Step name written into dead letters. */
  public static final String STEP = "ReadHivePartitioned";

  /** Counter of files opened. */
  public static final String FILES_READ = "files_read";

  /** Counter of records read (rows output plus bad JSON lines). */
  public static final String RECORDS_READ = "records_read";

  /** Counter of files that could not be read to the end (one dead letter each). */
  public static final String UNREADABLE_FILES = "unreadable_files";

  /** Counter of records that could not be read (bad JSON lines; one dead letter each). */
  public static final String BAD_RECORDS = "bad_records";

  private static final TupleTag<Row> ROWS = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  private final String root;
  private final Schema columns;
  private final List<String> partitionKeys;
  private final @Nullable Instant from;
  private final @Nullable Instant to;
  private final @Nullable String sourceFileField;
  private transient @Nullable Plan plan;

  private ReadHivePartitioned(
      String root,
      Schema columns,
      List<String> partitionKeys,
      @Nullable Instant from,
      @Nullable Instant to,
      @Nullable String sourceFileField) {
    this.root = root;
    this.columns = columns;
    this.partitionKeys = partitionKeys;
    this.from = from;
    this.to = to;
    this.sourceFileField = sourceFileField;
  }

  /**
   * Reads {@code columns} from every data file under {@code root}.
   *
   * @param root the root of the tree: local path or URI
   * @param columns the columns to read, with their types (all are read as nullable)
   * @return the transform
   * @throws IllegalArgumentException if {@code root} is blank or a column type is not supported
   */
  public static ReadHivePartitioned from(String root, Schema columns) {
    checkArgumentNotNull(root, "root must not be null");
    checkArgumentNotNull(columns, "columns must not be null");
    if (root.isBlank()) {
      throw new IllegalArgumentException("root must not be blank");
    }
    for (Schema.Field field : columns.getFields()) {
      if (!Converters.SUPPORTED.contains(field.getType().getTypeName())) {
        throw new IllegalArgumentException(
            "column "
                + field.getName()
                + " has unsupported type "
                + field.getType()
                + "; supported: "
                + Converters.SUPPORTED);
      }
    }
    return new ReadHivePartitioned(
        root.replaceAll("/+$", ""), nullable(columns), List.of(), null, null, null);
  }

  /** Returns a copy that adds these partition keys to each row (as nullable strings). */
  public ReadHivePartitioned withPartitionKeys(String... keys) {
    return new ReadHivePartitioned(root, columns, List.of(keys), from, to, sourceFileField);
  }

  /**
   * Returns a copy that adds the path of each row's file as a last string field named {@code
   * field}, as Spark's {@code input_file_name()} does, so later steps can say where a bad row came
   * from.
   */
  public ReadHivePartitioned withSourceFileField(String field) {
    checkArgumentNotNull(field, "field must not be null");
    return new ReadHivePartitioned(root, columns, partitionKeys, from, to, field);
  }

  /**
   * Returns a copy that prunes partitions whose time span misses {@code [from, to)}; a null bound
   * is open. Rows are not filtered: a kept partition may hold rows outside the range.
   *
   * @throws IllegalArgumentException if both are set and {@code from} is not before {@code to}
   */
  public ReadHivePartitioned withTimeRange(@Nullable Instant from, @Nullable Instant to) {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
    }
    return new ReadHivePartitioned(root, columns, partitionKeys, from, to, sourceFileField);
  }

  /** The schema of the output rows: the columns, then the partition keys that are not columns. */
  public Schema outputSchema() {
    Schema.Builder builder = Schema.builder().addFields(columns.getFields());
    for (String key : partitionKeys) {
      if (!columns.hasField(key)) {
        builder.addNullableField(key, Schema.FieldType.STRING);
      }
    }
    if (sourceFileField != null) {
      builder.addNullableField(sourceFileField, Schema.FieldType.STRING);
    }
    return builder.build();
  }

  /**
   * Lists the tree and prunes it (once; later calls return the same plan).
   *
   * @return the files to read and the partition counts
   * @throws IllegalArgumentException if the root cannot be listed or holds no data file
   */
  public Plan plan() {
    if (plan == null) {
      plan = Plan.of(root, from, to);
    }
    return plan;
  }

  @Override
  public WithFailures.Result<PCollection<Row>, DeadLetter> expand(PBegin input) {
    Schema schema = outputSchema();
    PCollectionTuple read =
        input
            .apply(
                "ListPartitionedFiles", Create.of(plan().files()).withCoder(MetadataCoderV2.of()))
            .apply("ReadMatches", FileIO.readMatches())
            .apply(
                "ReadRecords",
                ParDo.of(new ReadRecordsFn(schema, partitionKeys, sourceFileField))
                    .withOutputTags(ROWS, TupleTagList.of(FAILURES)));
    return WithFailures.Result.of(read.get(ROWS).setRowSchema(schema), read.get(FAILURES));
  }

  private static Schema nullable(Schema columns) {
    Schema.Builder builder = Schema.builder();
    for (Schema.Field field : columns.getFields()) {
      builder.addField(field.withNullable(true));
    }
    return builder.build();
  }

  /** True for the names of data files this transform reads. */
  static boolean isDataFile(String name) {
    if (ReadLines.isHidden(name)) {
      return false;
    }
    return name.endsWith(".parquet")
        || name.endsWith(".json")
        || name.endsWith(".jsonl")
        || name.endsWith(".json.gz")
        || name.endsWith(".jsonl.gz");
  }

  /** The files to read and what was pruned, found by listing the tree on the launcher. */
  public static final class Plan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<MatchResult.Metadata> files;
    private final int partitions;
    private final int prunedPartitions;
    private final int prunedFiles;

    private Plan(
        List<MatchResult.Metadata> files, int partitions, int prunedPartitions, int prunedFiles) {
      this.files = files;
      this.partitions = partitions;
      this.prunedPartitions = prunedPartitions;
      this.prunedFiles = prunedFiles;
    }

    static Plan of(String root, @Nullable Instant from, @Nullable Instant to) {
      List<MatchResult.Metadata> all;
      try {
        all = FileSystems.match(root + "/**", EmptyMatchTreatment.ALLOW).metadata();
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot list " + root + ": " + e.getMessage(), e);
      }
      List<MatchResult.Metadata> kept = new ArrayList<>();
      Set<String> partitions = new TreeSet<>();
      Set<String> pruned = new TreeSet<>();
      int prunedFiles = 0;
      for (MatchResult.Metadata file : all) {
        String name = file.resourceId().getFilename();
        if (name == null || !isDataFile(name)) {
          continue;
        }
        String path = file.resourceId().toString();
        String partition = path.substring(0, Math.max(0, path.lastIndexOf('/')));
        partitions.add(partition);
        if (HivePartitions.mayOverlap(HivePartitions.values(path), from, to)) {
          kept.add(file);
        } else {
          pruned.add(partition);
          prunedFiles++;
        }
      }
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException(
            "no data file (.parquet, .json, .json.gz) under " + root);
      }
      kept.sort((a, b) -> a.resourceId().toString().compareTo(b.resourceId().toString()));
      return new Plan(
          Collections.unmodifiableList(kept), partitions.size(), pruned.size(), prunedFiles);
    }

    /** The files to read, sorted by path. */
    public List<MatchResult.Metadata> files() {
      return files;
    }

    /** Partitions (directories holding data files) found. */
    public int partitions() {
      return partitions;
    }

    /** Partitions pruned by the time range, none of whose files are read. */
    public int prunedPartitions() {
      return prunedPartitions;
    }

    /** Data files in pruned partitions. */
    public int prunedFiles() {
      return prunedFiles;
    }

    /** Total size of the files to read, in bytes. */
    public long bytes() {
      return files.stream().mapToLong(MatchResult.Metadata::sizeBytes).sum();
    }
  }

  /** Reads each file into rows with its partition values; failures go to the dead letter. */
  static final class ReadRecordsFn extends DoFn<FileIO.ReadableFile, Row> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Schema schema;
    private final List<String> partitionKeys;
    private final @Nullable String sourceFileField;
    private final Counter filesRead = Metrics.counter(ReadHivePartitioned.class, FILES_READ);
    private final Counter recordsRead = Metrics.counter(ReadHivePartitioned.class, RECORDS_READ);
    private final Counter unreadableFiles =
        Metrics.counter(ReadHivePartitioned.class, UNREADABLE_FILES);
    private final Counter badRecords = Metrics.counter(ReadHivePartitioned.class, BAD_RECORDS);

    ReadRecordsFn(Schema schema, List<String> partitionKeys, @Nullable String sourceFileField) {
      this.schema = schema;
      this.partitionKeys = partitionKeys;
      this.sourceFileField = sourceFileField;
    }

    @ProcessElement
    public void processElement(@Element FileIO.ReadableFile file, MultiOutputReceiver out) {
      String path = file.getMetadata().resourceId().toString();
      Object[] partition = partitionValues(HivePartitions.values(path));
      if (sourceFileField != null) {
        partition[schema.indexOf(sourceFileField)] = path;
      }
      filesRead.inc();
      long[] records = {0};
      try {
        if (path.endsWith(".parquet")) {
          readParquet(file, partition, out, records);
        } else {
          readJsonLines(file, path, partition, out, records);
        }
      } catch (IOException | RuntimeException e) {
        unreadableFiles.inc();
        out.get(FAILURES)
            .output(
                DeadLetter.of(
                    path,
                    STEP,
                    "unreadable file (after " + records[0] + " records): " + oneLine(e),
                    path));
      }
    }

    /** Per output field, the partition value to use where the file has none (or null). */
    private Object[] partitionValues(Map<String, String> values) {
      Object[] partition = new Object[schema.getFieldCount()];
      for (String key : partitionKeys) {
        if (schema.hasField(key) && values.containsKey(key)) {
          Schema.FieldType type = schema.getField(key).getType();
          partition[schema.indexOf(key)] =
              type.getTypeName() == Schema.TypeName.STRING ? values.get(key) : null;
        }
      }
      return partition;
    }

    private void readParquet(
        FileIO.ReadableFile file, Object[] partition, MultiOutputReceiver out, long[] records)
        throws IOException {
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              new SeekableChannelInputFile(file), ParquetReadOptions.builder().build())) {
        MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
        List<Type> projected = new ArrayList<>();
        Converters.FromParquet[] converters = new Converters.FromParquet[schema.getFieldCount()];
        int[] projectedIndex = new int[schema.getFieldCount()];
        for (int i = 0; i < schema.getFieldCount(); i++) {
          Schema.Field field = schema.getField(i);
          projectedIndex[i] = -1;
          if (fileSchema.containsField(field.getName())) {
            Type column = fileSchema.getType(field.getName());
            converters[i] = Converters.fromParquet(field, column);
            projectedIndex[i] = projected.size();
            projected.add(column);
          }
        }
        MessageType projection = new MessageType(fileSchema.getName(), projected);
        reader.setRequestedSchema(projection);
        ColumnIOFactory columnIo = new ColumnIOFactory();
        PageReadStore rowGroup;
        while ((rowGroup = reader.readNextRowGroup()) != null) {
          RecordReader<Group> groups =
              columnIo
                  .getColumnIO(projection)
                  .getRecordReader(rowGroup, new GroupRecordConverter(projection));
          for (long r = 0, n = rowGroup.getRowCount(); r < n; r++) {
            Group group = groups.read();
            Object[] values = new Object[schema.getFieldCount()];
            for (int i = 0; i < values.length; i++) {
              int column = projectedIndex[i];
              values[i] =
                  column >= 0 && group.getFieldRepetitionCount(column) > 0
                      ? converters[i].convert(group, column)
                      : partition[i];
            }
            records[0]++;
            recordsRead.inc();
            out.get(ROWS).output(Row.withSchema(schema).attachValues(values));
          }
        }
      }
    }

    private void readJsonLines(
        FileIO.ReadableFile file,
        String path,
        Object[] partition,
        MultiOutputReceiver out,
        long[] records)
        throws IOException {
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(
                  Channels.newInputStream(file.open()), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          records[0]++;
          recordsRead.inc();
          try {
            out.get(ROWS).output(jsonRow(line, partition));
          } catch (IllegalArgumentException e) {
            badRecords.inc();
            out.get(FAILURES).output(DeadLetter.of(path, STEP, e.getMessage(), line));
          }
        }
      }
    }

    private Row jsonRow(String line, Object[] partition) {
      JsonNode node;
      try {
        node = MAPPER.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Object[] values = new Object[schema.getFieldCount()];
      for (int i = 0; i < values.length; i++) {
        Schema.Field field = schema.getField(i);
        JsonNode value = node.get(field.getName());
        values[i] =
            value == null || value.isNull() ? partition[i] : Converters.fromJson(field, value);
      }
      return Row.withSchema(schema).attachValues(values);
    }

    private static String oneLine(Throwable e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int newline = message.indexOf('\n');
      return newline < 0 ? message : message.substring(0, newline);
    }
  }

  /** Conversions from Parquet and JSON values to Beam row values. */
  static final class Converters {
    static final Set<Schema.TypeName> SUPPORTED =
        Set.of(
            Schema.TypeName.STRING,
            Schema.TypeName.DATETIME,
            Schema.TypeName.INT64,
            Schema.TypeName.INT32,
            Schema.TypeName.DOUBLE,
            Schema.TypeName.BOOLEAN);

    private static final DateTimeFormatter ISO = ISODateTimeFormat.dateTimeParser().withZoneUTC();

    private Converters() {}

    /** Reads one value of a column from a Parquet group. */
    interface FromParquet extends Serializable {
      Object convert(Group group, int column);
    }

    static FromParquet fromParquet(Schema.Field field, Type column) {
      if (!column.isPrimitive()) {
        throw new IllegalArgumentException("column " + field.getName() + " is not a primitive");
      }
      PrimitiveType primitive = column.asPrimitiveType();
      PrimitiveType.PrimitiveTypeName physical = primitive.getPrimitiveTypeName();
      LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
      switch (field.getType().getTypeName()) {
        case STRING:
          if (physical == PrimitiveType.PrimitiveTypeName.BINARY) {
            return new SharedStrings();
          }
          break;
        case DATETIME:
          if (physical == PrimitiveType.PrimitiveTypeName.INT96) {
            return (g, c) -> Instant.ofEpochMilli(Int96Timestamps.toEpochMillis(g.getInt96(c, 0)));
          }
          if (physical == PrimitiveType.PrimitiveTypeName.INT64) {
            long divisor = 1;
            if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
              switch (((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) logical).getUnit()) {
                case MICROS:
                  divisor = 1_000;
                  break;
                case NANOS:
                  divisor = 1_000_000;
                  break;
                default:
                  divisor = 1;
              }
            }
            long unit = divisor;
            return (g, c) -> Instant.ofEpochMilli(Math.floorDiv(g.getLong(c, 0), unit));
          }
          break;
        case INT64:
          if (physical == PrimitiveType.PrimitiveTypeName.INT64) {
            return (g, c) -> g.getLong(c, 0);
          }
          if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
            return (g, c) -> (long) g.getInteger(c, 0);
          }
          break;
        case INT32:
          if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
            return (g, c) -> g.getInteger(c, 0);
          }
          break;
        case DOUBLE:
          if (physical == PrimitiveType.PrimitiveTypeName.DOUBLE) {
            return (g, c) -> g.getDouble(c, 0);
          }
          if (physical == PrimitiveType.PrimitiveTypeName.FLOAT) {
            return (g, c) -> (double) g.getFloat(c, 0);
          }
          break;
        case BOOLEAN:
          if (physical == PrimitiveType.PrimitiveTypeName.BOOLEAN) {
            return (g, c) -> g.getBoolean(c, 0);
          }
          break;
        default:
          break;
      }
      throw new IllegalArgumentException(
          "column "
              + field.getName()
              + " has Parquet type "
              + primitive
              + ", which cannot be read as "
              + field.getType().getTypeName());
    }

    /**
     * Strings of one column of one file, decoded once per distinct value while the column has few
     * (customer, url, referrer): rows then share one {@code String} per value instead of holding a
     * copy each, which cuts decoding and, where a runner keeps many rows in memory (the
     * DirectRunner), the heap. A column with more than {@value #MAX_SHARED} distinct values
     * (session ids) stops being cached and is decoded per row.
     */
    static final class SharedStrings implements FromParquet {
      static final int MAX_SHARED = 4_096;
      private static final long serialVersionUID = 1L;
      private final transient Map<Binary, String> strings = new HashMap<>();

      @Override
      public Object convert(Group group, int column) {
        Binary value = group.getBinary(column, 0);
        String string = strings.get(value);
        if (string == null) {
          string = value.toStringUsingUTF8();
          if (strings.size() < MAX_SHARED) {
            strings.put(value.copy(), string);
          }
        }
        return string;
      }
    }

    static Object fromJson(Schema.Field field, JsonNode value) {
      switch (field.getType().getTypeName()) {
        case STRING:
          if (value.isTextual()) {
            return value.textValue();
          }
          break;
        case DATETIME:
          if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Instant.ofEpochMilli(value.longValue());
          }
          if (value.isTextual()) {
            try {
              return ISO.parseDateTime(value.textValue()).toInstant();
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  "field '" + field.getName() + "' is not an ISO-8601 time: " + value.textValue());
            }
          }
          break;
        case INT64:
          if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
          }
          break;
        case INT32:
          if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
          }
          break;
        case DOUBLE:
          if (value.isNumber()) {
            return value.doubleValue();
          }
          break;
        case BOOLEAN:
          if (value.isBoolean()) {
            return value.booleanValue();
          }
          break;
        default:
          break;
      }
      throw new IllegalArgumentException(
          "field '"
              + field.getName()
              + "' must be "
              + field.getType().getTypeName()
              + ", got "
              + value.getNodeType());
    }
  }
}
