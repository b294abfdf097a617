package dev.sluice.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.sluice.diff.Diff;
import dev.sluice.pageviews.PageView;
import dev.sluice.pageviews.PageViewParquetWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link ParquetRecordReader}: projected reads with requested types, and every column with the
 * file's own types, nested ones included.
 */
@RunWith(JUnit4.class)
public class ParquetRecordReaderTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final class Collected<T> implements RecordReader.Receiver<T> {
    final List<T> values = new ArrayList<>();
    final List<String> bad = new ArrayList<>();

    @Override
    public void output(T value) {
      values.add(value);
    }

    @Override
    public void badRecord(String payload, String reason) {
      bad.add(reason + " | " + payload);
    }

    @Override
    public void blankLine() {
      throw new AssertionError("Parquet has no lines");
    }
  }

  private static FileSplit split(Path file) throws IOException {
    MatchResult.Metadata metadata = FileSystems.match(file.toString()).metadata().get(0);
    return FileSplit.whole(metadata, FileFormat.PARQUET);
  }

  private static <T> Collected<T> read(Path file, RecordDecoder<T> decoder) throws IOException {
    Collected<T> out = new Collected<>();
    ParquetRecordReader.INSTANCE.read(split(file), decoder, out);
    return out;
  }

  @Test
  public void readsOnlyTheRequestedColumnsAsTheRequestedTypes() throws IOException {
    Path file = tmp.getRoot().toPath().resolve("views.parquet");
    try (PageViewParquetWriter writer =
        PageViewParquetWriter.open(
            file.toString(),
            CompressionCodecName.SNAPPY,
            PageViewParquetWriter.TimestampEncoding.MICROS)) {
      writer.write(PageView.of("a.com", "u1", null, "s1", 1_000L));
    }
    Schema columns =
        Schema.builder()
            .addNullableField("url", Schema.FieldType.STRING)
            .addNullableField("ts", Schema.FieldType.DATETIME)
            .addNullableField("absent", Schema.FieldType.INT64)
            .build();
    Collected<Row> out = read(file, RowDecoder.of(columns, "Test"));
    assertEquals(
        List.of(
            Row.withSchema(columns).addValues("u1", Instant.ofEpochMilli(1_000L), null).build()),
        out.values);

    Schema wrongType = Schema.builder().addNullableField("url", Schema.FieldType.INT64).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> read(file, RowDecoder.of(wrongType, "Test")));
    assertTrue(e.getMessage(), e.getMessage().contains("cannot be read as INT64"));
  }

  @Test
  public void wholeNumbersInDoublesReadAsIntegersAndOthersAreBadRecords() throws IOException {
    MessageType schema =
        MessageTypeParser.parseMessageType("message m { optional double registration; }");
    Path file =
        write(
            schema,
            List.of(
                new SimpleGroupFactory(schema).newGroup().append("registration", 1540991795796.0),
                new SimpleGroupFactory(schema).newGroup().append("registration", 1.5)));
    Schema columns =
        Schema.builder().addNullableField("registration", Schema.FieldType.INT64).build();
    Collected<Row> out = read(file, RowDecoder.of(columns, "Test"));
    assertEquals(List.of(Row.withSchema(columns).addValue(1540991795796L).build()), out.values);
    assertEquals(
        List.of("field 'registration' must be an integer, got 1.5 | {\"registration\":\"1.5\"}"),
        out.bad);
  }

  @Test
  public void everyColumnWithTheFilesOwnTypesNestedOnesIncluded() throws IOException {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m {\n"
                + "  required binary name (STRING);\n"
                + "  optional group tags (MAP) {\n"
                + "    repeated group key_value { required binary key (STRING); optional int64"
                + " value; }\n"
                + "  }\n"
                + "  optional group items (LIST) { repeated group list { optional int32 element; }"
                + " }\n"
                + "  optional group place { optional double lat; }\n"
                + "  optional int64 at (TIMESTAMP(MILLIS,true));\n"
                + "}");
    Group record = new SimpleGroupFactory(schema).newGroup().append("name", "x");
    record.addGroup("tags").addGroup("key_value").append("key", "a").append("value", 1L);
    Group items = record.addGroup("items");
    items.addGroup("list").append("element", 1);
    items.addGroup("list").append("element", 2);
    record.addGroup("place").append("lat", 52.5);
    record.append("at", 0L);
    Path file = write(schema, List.of(record));
    Collected<String> out = read(file, Diff.canonicalRecords());
    assertEquals(
        List.of(
            "{\"at\":\"1970-01-01T00:00:00.000Z\",\"items\":[1,2],\"name\":\"x\","
                + "\"place\":{\"lat\":52.5},\"tags\":{\"a\":1}}"),
        out.values);
  }

  private Path write(MessageType schema, List<Group> records) throws IOException {
    Path file = tmp.newFile().toPath().resolveSibling("records-" + records.size() + ".parquet");
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(BeamOutputFile.of(file.toString()))
            .withConf(new Configuration(false))
            .withType(schema)
            .build()) {
      for (Group record : records) {
        writer.write(record);
      }
    }
    return file;
  }
}
