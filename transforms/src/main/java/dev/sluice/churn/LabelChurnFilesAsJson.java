package dev.sluice.churn;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.auto.value.AutoValue;
import dev.sluice.deadletter.DeadLetter;
import dev.sluice.io.BundleFiles;
import dev.sluice.io.FileFormat;
import dev.sluice.io.FilePlan;
import dev.sluice.io.FileSplit;
import dev.sluice.io.ReadRecords;
import dev.sluice.io.SplitReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@link LabelChurnFiles} with its outputs written as JSON lines by the step that labels: {@code
 * PBegin} in, a {@code WithFailures.Result} out of the {@code PCollection<String>} of files written
 * and the {@code PCollection<DeadLetter>} (written by the caller). Under the output root, {@code
 * labelled/}, {@code stayed/} and {@code cancelled/} hold {@code part-SSSSS-of-NNNNN.json} (or
 * {@code .json.gz}) files with the lines {@code WriteRecords} writes for {@link LabelledEvent}s
 * ({@code churn} and {@code label}, then the Sparkify columns, nulls as {@code null}), byte for
 * byte ({@link LabelledEventJson} names the one exception, text that UTF-8 cannot encode).
 *
 * <p>The first pass is {@link LabelChurnFiles}'s. In the second, {@code LabelAndWriteEvents} reads
 * each split again, labels each event and writes its line to {@code labelled} and to {@code stayed}
 * or {@code cancelled} at once ({@link BundleFiles}): no event is encoded, copied or grouped
 * between steps, and memory is one bundle's open files. {@code FinalizeFiles} names the files when
 * every bundle is done. Counters are {@link LabelChurn}'s.
 */
@AutoValue
public abstract class LabelChurnFilesAsJson
    extends PTransform<PBegin, WithFailures.Result<PCollection<String>, DeadLetter>> {

  /** The directory of every labelled event, under the root. */
  public static final String LABELLED = "labelled";

  /** The directory of the events of users who stayed. */
  public static final String STAYED = "stayed";

  /** The directory of the events of users who churned. */
  public static final String CANCELLED = "cancelled";

  /** The files to read. */
  public abstract FilePlan plan();

  /** The pages that mark churn. */
  public abstract SortedSet<String> churnPages();

  /** The event times kept, as {@link LabelChurnFiles#timeRange}. */
  public abstract EventTimeRange timeRange();

  /** The directory {@code labelled/}, {@code stayed/} and {@code cancelled/} go under. */
  public abstract String root();

  /** {@link FileFormat#JSON} or {@link FileFormat#JSON_GZIP}. */
  public abstract FileFormat format();

  /**
   * Labels the files of {@code labelling}'s plan, by its churn pages, and writes under {@code
   * root}.
   *
   * @throws IllegalArgumentException if {@code format} is not a text format
   */
  public static LabelChurnFilesAsJson of(
      LabelChurnFiles labelling, String root, FileFormat format) {
    checkArgumentNotNull(root, "root must not be null");
    if (!format.isText()) {
      throw new IllegalArgumentException(format + " is not a JSON-lines format");
    }
    return new AutoValue_LabelChurnFilesAsJson(
        labelling.plan(),
        labelling.churnPages(),
        labelling.timeRange(),
        root.replaceAll("/+$", ""),
        format);
  }

  @Override
  public WithFailures.Result<PCollection<String>, DeadLetter> expand(PBegin input) {
    PCollection<FileSplit> splits =
        input.apply("ListFiles", Create.of(plan().splits()).withCoder(FileSplit.coder()));
    LabelChurnFiles.ChurnedUsers churned =
        LabelChurnFiles.churnedUsers(splits, churnPages(), timeRange());
    String temp = BundleFiles.tempDirectory(root());
    PCollection<String> written =
        splits
            .apply(
                "LabelAndWriteEvents",
                ParDo.of(
                        new LabelAndWriteEventsFn(
                            churnPages(), timeRange(), churned.view, temp, format()))
                    .withSideInputs(churned.view))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
            .apply(
                "OneKey",
                WithKeys.<Integer, KV<String, String>>of(0).withKeyType(TypeDescriptors.integers()))
            .setCoder(
                KvCoder.of(
                    VarIntCoder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
            .apply("GatherFiles", GroupByKey.create())
            .apply("FinalizeFiles", ParDo.of(new BundleFiles.FinalizeFn(root(), temp, format())));
    return WithFailures.Result.of(written, churned.deadLetters);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("files", plan().files().size()).withLabel("Files"))
        .add(DisplayData.item("root", root()).withLabel("Output root"))
        .add(DisplayData.item("format", format().toString()).withLabel("Format"))
        .add(DisplayData.item("churnPages", String.join(", ", churnPages())));
  }

  /** Labels each event of a split and writes its lines; gives the bundle's files at its end. */
  static final class LabelAndWriteEventsFn extends DoFn<FileSplit, KV<String, String>> {
    private final EventLabels labels;
    private final PCollectionView<Map<String, Integer>> churnedUsers;
    private final String temp;
    private final FileFormat format;
    private final SplitReader<SparkifyEvent> reader =
        SplitReader.of(new SparkifyEventDecoder(), ReadRecords.STEP).uncounted();
    private transient BundleFiles.Writer writer;
    private transient Map<String, JsonGenerator> generators;

    LabelAndWriteEventsFn(
        Set<String> churnPages,
        EventTimeRange range,
        PCollectionView<Map<String, Integer>> churnedUsers,
        String temp,
        FileFormat format) {
      this.labels = new EventLabels(churnPages, range);
      this.churnedUsers = churnedUsers;
      this.temp = temp;
      this.format = format;
    }

    @StartBundle
    public void startBundle() {
      writer = new BundleFiles.Writer(temp, format);
      generators = new HashMap<>();
    }

    @ProcessElement
    public void processElement(ProcessContext context) {
      Map<String, Integer> churned = context.sideInput(churnedUsers);
      reader.read(
          context.element(),
          event ->
              labels.label(
                  event,
                  churned,
                  (e, churn, label) -> {
                    write(LABELLED, e, churn, label);
                    write(label == 1 ? CANCELLED : STAYED, e, churn, label);
                  }),
          // The first pass read the same splits and gave their dead letters. A split that fails
          // only here (an error that outlasted RetryingChannel's retries) leaves events unlabelled,
          // which the run's balance check reports.
          letter -> {});
    }

    private void write(String destination, SparkifyEvent event, boolean churn, int label) {
      try {
        JsonGenerator json = generators.get(destination);
        if (json == null) {
          json = LabelledEventJson.generator(writer.stream(destination));
          generators.put(destination, json);
        }
        LabelledEventJson.write(json, event, churn, label);
        json.writeRaw('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write a " + destination + " line", e);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws IOException {
      for (JsonGenerator json : generators.values()) {
        json.flush();
      }
      for (KV<String, String> file : writer.close()) {
        context.output(file, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
      writer = null;
      generators = null;
    }
  }
}
