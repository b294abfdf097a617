package dev.sluice.io;

import static org.apache.beam.sdk.util.Preconditions.checkArgumentNotNull;

import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A {@code DoFn} that writes rows into its bundle's Parquet files ({@link ParquetBundleWriter})
 * and, when the bundle ends, outputs each as {@code KV<partition, temporary path>} to {@code files}
 * (or the main output for null), in the global window; subclasses turn their input into rows and
 * call {@link #write}. A bundle that fails leaves its files unnamed, as {@link BundleFiles}
 * expects.
 *
 * @param <InputT> the input
 */
abstract class ParquetBundleFn<InputT> extends DoFn<InputT, KV<String, String>> {
  private final ParquetBundleWriter.Spec spec;
  private final @Nullable TupleTag<KV<String, String>> files;
  private transient @Nullable ParquetBundleWriter writer;

  ParquetBundleFn(ParquetBundleWriter.Spec spec, @Nullable TupleTag<KV<String, String>> files) {
    this.spec = spec;
    this.files = files;
  }

  @StartBundle
  public void startBundle() {
    writer = spec.open(writer);
  }

  @Teardown
  public void teardown() {
    ParquetBundleWriter.abort(writer);
  }

  /** Appends a row to its partition's file of this bundle. */
  void write(Row row) throws IOException {
    checkArgumentNotNull(writer).write(row);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws IOException {
    for (KV<String, String> file : checkArgumentNotNull(writer).close()) {
      if (files == null) {
        context.output(file, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      } else {
        context.output(files, file, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }
    writer = null;
  }
}
