package dev.sluice.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class WriteHivePartitionedTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final Schema SCHEMA =
      Schema.builder().addStringField("day").addInt64Field("n").build();

  private static Row row(String day, long n) {
    return Row.withSchema(SCHEMA).addValues(day, n).build();
  }

  /**
   * Per directory under {@code root} (relative, "" for the root), the {@code n} of the records of
   * its files, sorted; files are named {@code part-SSSSS-of-NNNNN.parquet} (one per bundle).
   */
  private static Map<String, List<Long>> read(Path root) throws IOException {
    Map<String, List<Long>> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file :
          walk.filter(f -> f.toString().endsWith(".parquet")).collect(Collectors.toList())) {
        try (ParquetReader<GenericRecord> reader =
            AvroParquetReader.<GenericRecord>builder(
                    HadoopInputFile.fromPath(
                        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
                .build()) {
          List<Long> values = new java.util.ArrayList<>();
          for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
            values.add((Long) r.get("n"));
          }
          assertTrue(
              file.toString(),
              file.getFileName().toString().matches("part-\\d{5}-of-\\d{5}\\.parquet"));
          Path dir = root.relativize(file).getParent();
          files.merge(
              dir == null ? "" : dir.toString(),
              values,
              (a, b) -> {
                List<Long> all = new java.util.ArrayList<>(a);
                all.addAll(b);
                return all;
              });
        }
      }
    }
    return files;
  }

  @Test
  public void recordsLandInTheirPartitionsAndTheTemporaryDirectoryGoes() throws Exception {
    Path root = tmp.newFolder("tree").toPath();
    p.apply(Create.of(row("01", 1), row("02", 2), row("01", 3), row("", 4)).withRowSchema(SCHEMA))
        .apply(
            WriteHivePartitioned.<Row>to(
                root.toString(),
                r -> r.getString("day").isEmpty() ? "" : "day=" + r.getString("day")));
    p.run().waitUntilFinish();

    Map<String, List<Long>> files = read(root);
    files.values().forEach(values -> values.sort(Long::compare));
    assertEquals(Map.of("day=01", List.of(1L, 3L), "day=02", List.of(2L), "", List.of(4L)), files);
    try (Stream<Path> left = Files.list(root)) {
      assertFalse(
          left.anyMatch(f -> f.getFileName().toString().startsWith(BundleFiles.TEMP_PREFIX)));
    }
  }

  @Test
  public void unboundedInputIsRefused() {
    TestStream<Row> stream =
        TestStream.create(SCHEMA, org.apache.beam.sdk.values.TypeDescriptors.rows(), r -> r, r -> r)
            .addElements(row("01", 1))
            .advanceWatermarkToInfinity();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                p.apply(stream)
                    .apply(WriteHivePartitioned.<Row>to(tmp.getRoot().toString(), r -> "")));
    assertTrue(e.getMessage(), e.getMessage().contains("unbounded"));
    p.enableAbandonedNodeEnforcement(false);
  }
}
