package dev.sluice.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Optional;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** {@link FileFormat}: the format of a file from its name, and the names users type. */
@RunWith(JUnit4.class)
public class FileFormatTest {

  @Test
  public void knowsAFormatFromItsFileName() {
    assertEquals(Optional.of(FileFormat.PARQUET), FileFormat.ofFileName("part-0.snappy.parquet"));
    assertEquals(Optional.of(FileFormat.JSON), FileFormat.ofFileName("events.json"));
    assertEquals(Optional.of(FileFormat.JSON), FileFormat.ofFileName("events.JSONL"));
    assertEquals(Optional.of(FileFormat.JSON_GZIP), FileFormat.ofFileName("events.json.gz"));
    assertEquals(Optional.of(FileFormat.JSON_GZIP), FileFormat.ofFileName("events.jsonl.gz"));
    assertEquals(Optional.empty(), FileFormat.ofFileName("events.csv"));
    assertEquals(Optional.empty(), FileFormat.ofFileName("_SUCCESS"));
    assertEquals(Optional.empty(), FileFormat.ofFileName(".part-0.json.crc"));
    assertEquals(Optional.empty(), FileFormat.ofFileName(".events.json"));
  }

  @Test
  public void parsesTheNamesUsersType() {
    assertEquals(FileFormat.JSON, FileFormat.parse("json"));
    assertEquals(FileFormat.JSON_GZIP, FileFormat.parse(" JSON.GZ "));
    assertEquals(FileFormat.PARQUET, FileFormat.parse("parquet"));
    assertEquals("json.gz", FileFormat.JSON_GZIP.toString());
    assertEquals(".json.gz", FileFormat.JSON_GZIP.suffix());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FileFormat.parse("csv"));
    assertEquals("unknown format 'csv': expected json, json.gz or parquet", e.getMessage());
  }
}
