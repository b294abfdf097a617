package dev.sluice.churn;

import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link LabelledEventJson} on the two kinds of text beyond the Basic Multilingual Plane: a
 * surrogate pair is written as its character's UTF-8 bytes, an unpaired surrogate keeps its {@code
 * \\uXXXX} escape (UTF-8 cannot encode it, and a {@code ?} would lose it).
 */
@RunWith(JUnit4.class)
public class LabelledEventJsonTest {

  private static String line(String song) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonGenerator json = LabelledEventJson.generator(out);
    LabelledEventJson.write(
        json,
        SparkifyEvent.builder().setUserId("u").setPage("NextSong").setTs(1L).setSong(song).build(),
        false,
        0);
    json.flush();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  public void aSurrogatePairIsItsCharactersBytesAndAnUnpairedOneIsEscaped() throws IOException {
    String pair = line("a\uD83D\uDE00b");
    assertTrue(pair, pair.contains("\"song\":\"a\uD83D\uDE00b\""));
    String unpaired = line("a\uD800b");
    assertTrue(unpaired, unpaired.contains("\"song\":\"a\\uD800b\""));
  }
}
