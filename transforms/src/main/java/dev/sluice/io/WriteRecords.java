package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Convert;
import org.apache.beam.sdk.schemas.transforms.Select;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Writes a schema-aware {@code PCollection<T>} as files of a {@link FileFormat} in one directory.
 * Returns the {@code WriteFilesResult<Void>} of Beam's {@code FileIO.write()}.
 *
 * <p>Files are named {@code DIR/part-SSSSS-of-NNNNN} with the format's suffix ({@code .json},
 * {@code .json.gz}, {@code .parquet}); the number of shards is chosen by the runner unless {@link
 * #withNumShards(int)} fixes it. Nested rows are flattened to top-level columns that keep their
 * innermost names ({@code event.userId} becomes {@code userId}), so the files look like the flat
 * tables data engineers load elsewhere; two nested fields with the same name fail at construction.
 *
 * <ul>
 *   <li>JSON lines: one object per line through Beam's {@code ToJson}; fields in schema order,
 *       nulls written as {@code null}, so every line has the same keys in the same order.
 *   <li>Parquet: the Beam schema converted to Avro (nullable fields become {@code [null, T]}
 *       unions) and written with {@code ParquetIO.sink}, Snappy-compressed.
 * </ul>
 *
 * <p>{@link #lines} writes lines already formatted ({@code PCollection<String>}) the same way.
 *
 * <pre>{@code
 * labelled.apply("WriteLabelled", WriteRecords.to(output + "/labelled").withFormat(FileFormat.JSON));
 * }</pre>
 *
 * @param <T> the element type; its {@code PCollection} must have a schema
 */
@AutoValue
public abstract class WriteRecords<T> extends PTransform<PCollection<T>, WriteFilesResult<Void>> {

  /** The output directory. */
  public abstract String directory();

  /** The format written. */
  public abstract FileFormat format();

  /** The number of files, or 0 when the runner chooses. */
  public abstract int numShards();

  /** Whether files are named by window and pane ({@link #withFilePerPane}). */
  public abstract boolean filePerPane();

  abstract Builder<T> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setDirectory(String directory);

    abstract Builder<T> setFormat(FileFormat format);

    abstract Builder<T> setNumShards(int numShards);

    abstract Builder<T> setFilePerPane(boolean perPane);

    abstract WriteRecords<T> build();
  }

  /**
   * Writes JSON lines into {@code directory} (created if missing) with runner-chosen sharding.
   *
   * @param directory local path or URI of the output directory
   * @param <T> the element type
   * @return the transform
   * @throws IllegalArgumentException if {@code directory} is blank
   */
  public static <T> WriteRecords<T> to(String directory) {
    return new AutoValue_WriteRecords.Builder<T>()
        .setDirectory(checkDirectory(directory))
        .setFormat(FileFormat.JSON)
        .setNumShards(0)
        .setFilePerPane(false)
        .build();
  }

  /**
   * Writes already formatted lines ({@code PCollection<String>}, one record per element) into
   * {@code directory}, named as {@link #to} names them, as JSON lines unless {@link
   * Lines#withFormat} says otherwise.
   *
   * @param directory local path or URI of the output directory
   * @return the transform
   * @throws IllegalArgumentException if {@code directory} is blank
   */
  public static Lines lines(String directory) {
    return new AutoValue_WriteRecords_Lines.Builder()
        .setDirectory(checkDirectory(directory))
        .setFormat(FileFormat.JSON)
        .setNumShards(0)
        .setFilePerPane(false)
        .build();
  }

  /** Returns a copy that writes {@code format}. */
  public WriteRecords<T> withFormat(FileFormat format) {
    checkArgumentNotNull(format, "format must not be null");
    return toBuilder().setFormat(format).build();
  }

  /**
   * Returns a copy that writes exactly {@code numShards} files; 0 lets the runner choose.
   *
   * @throws IllegalArgumentException if {@code numShards} is negative
   */
  public WriteRecords<T> withNumShards(int numShards) {
    return toBuilder().setNumShards(checkShards(numShards)).build();
  }

  /**
   * Returns a copy for windowed, triggered input (a stream): each pane of each window is written as
   * its own files, named by {@link PaneFileNaming} ({@code
   * DIR/window=2017-09-17T01:00/pane-0-on_time-00000-of-00001.json}), one file per pane unless
   * {@link #withNumShards} says otherwise.
   */
  public WriteRecords<T> withFilePerPane() {
    return toBuilder().setFilePerPane(true).build();
  }

  @Override
  public WriteFilesResult<Void> expand(PCollection<T> input) {
    if (!input.hasSchema()) {
      throw new IllegalArgumentException(
          "WriteRecords needs a PCollection with a schema; " + input.getName() + " has none");
    }
    PCollection<T> panes = filePerPane() ? eachPaneOnce(input) : input;
    PCollection<Row> rows =
        isFlat(panes.getSchema())
            ? panes.apply("ToRows", Convert.toRows())
            : panes.apply("FlattenRows", Select.<T>flattenedSchema().keepMostNestedFieldName());
    return format().write(rows, naming(directory(), format(), numShards(), filePerPane()));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    display(builder, directory(), format(), numShards(), filePerPane());
  }

  /** Writes lines formatted elsewhere; see {@link WriteRecords#lines}. */
  @AutoValue
  public abstract static class Lines
      extends PTransform<PCollection<String>, WriteFilesResult<Void>> {

    /** The output directory. */
    public abstract String directory();

    /** The format written: a text format. */
    public abstract FileFormat format();

    /** The number of files, or 0 when the runner chooses. */
    public abstract int numShards();

    /** Whether files are named by window and pane ({@link #withFilePerPane}). */
    public abstract boolean filePerPane();

    abstract Builder toBuilder();

    @AutoValue.Builder
    abstract static class Builder {
      abstract Builder setDirectory(String directory);

      abstract Builder setFormat(FileFormat format);

      abstract Builder setNumShards(int numShards);

      abstract Builder setFilePerPane(boolean perPane);

      abstract Lines build();
    }

    /**
     * Returns a copy that writes {@code format}.
     *
     * @throws IllegalArgumentException if {@code format} is not a text format
     */
    public Lines withFormat(FileFormat format) {
      checkArgumentNotNull(format, "format must not be null");
      if (!format.isText()) {
        throw new IllegalArgumentException(format + " cannot hold lines of text");
      }
      return toBuilder().setFormat(format).build();
    }

    /**
     * Returns a copy that writes exactly {@code numShards} files; 0 lets the runner choose.
     *
     * @throws IllegalArgumentException if {@code numShards} is negative
     */
    public Lines withNumShards(int numShards) {
      return toBuilder().setNumShards(checkShards(numShards)).build();
    }

    /**
     * Returns a copy that writes each window and pane as its own files; see {@link
     * WriteRecords#withFilePerPane}.
     */
    public Lines withFilePerPane() {
      return toBuilder().setFilePerPane(true).build();
    }

    @Override
    public WriteFilesResult<Void> expand(PCollection<String> lines) {
      return format()
          .writeLines(
              filePerPane() ? eachPaneOnce(lines) : lines,
              naming(directory(), format(), numShards(), filePerPane()));
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      super.populateDisplayData(builder);
      display(builder, directory(), format(), numShards(), filePerPane());
    }
  }

  /**
   * Input whose panes accumulate (each holds its window's records so far) made discarding, with the
   * same trigger, for the write's own grouping: otherwise each later pane's file would hold every
   * earlier pane's records again. The write fires as the input did (after a grouping, its trigger
   * is already the continuation of the upstream one), so on-time records are written in the write's
   * on-time pane and late ones in its late panes.
   */
  private static <E> PCollection<E> eachPaneOnce(PCollection<E> input) {
    WindowingStrategy<?, ?> strategy = input.getWindowingStrategy();
    if (strategy.getMode() != WindowingStrategy.AccumulationMode.ACCUMULATING_FIRED_PANES) {
      return input;
    }
    return input.apply(
        "DiscardFiredPanes",
        Window.<E>configure()
            .triggering(strategy.getTrigger())
            .withAllowedLateness(strategy.getAllowedLateness())
            .discardingFiredPanes());
  }

  private static FileFormat.Naming naming(
      String directory, FileFormat format, int numShards, boolean perPane) {
    return new FileFormat.Naming() {
      @Override
      public <E> FileIO.Write<Void, E> apply(FileIO.Write<Void, E> write) {
        if (perPane) {
          return write
              .to(directory)
              .withNaming(PaneFileNaming.withSuffix(format.suffix()))
              .withNumShards(numShards > 0 ? numShards : 1);
        }
        FileIO.Write<Void, E> named =
            write.to(directory).withPrefix("part").withSuffix(format.suffix());
        return numShards > 0 ? named.withNumShards(numShards) : named;
      }
    };
  }

  private static void display(
      DisplayData.Builder builder,
      String directory,
      FileFormat format,
      int numShards,
      boolean perPane) {
    builder
        .add(DisplayData.item("directory", directory).withLabel("Output directory"))
        .add(DisplayData.item("perPane", perPane).withLabel("Files per window and pane"))
        .add(DisplayData.item("format", format.toString()).withLabel("Format"))
        .add(
            DisplayData.item("numShards", numShards == 0 ? "runner-chosen" : "" + numShards)
                .withLabel("Files"));
  }

  private static String checkDirectory(String directory) {
    checkArgumentNotNull(directory, "directory must not be null");
    if (directory.isBlank()) {
      throw new IllegalArgumentException("directory must not be blank");
    }
    return directory;
  }

  private static int checkShards(int numShards) {
    if (numShards < 0) {
      throw new IllegalArgumentException("numShards must be >= 0, got " + numShards);
    }
    return numShards;
  }

  private static boolean isFlat(Schema schema) {
    return schema.getFields().stream()
        .noneMatch(f -> f.getType().getTypeName() == Schema.TypeName.ROW);
  }
}
