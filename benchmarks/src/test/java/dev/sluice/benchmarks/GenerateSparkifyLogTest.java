package dev.sluice.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The synthetic Sparkify log has the shape the churn benchmark claims for it. */
public class GenerateSparkifyLogTest {

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void writesWholeUsersWithMinisPageMixAndAboutFifteenPercentChurn() throws IOException {
    Path out = folder.getRoot().toPath().resolve("log");
    GenerateSparkifyLog.main(new String[] {out.toString(), "300000", "3", "7"});

    List<JsonNode> events = read(out);
    assertEquals(GenerateSparkifyLog.eventsWritten(out), events.size());
    assertThat(events.size(), greaterThanOrEqualTo(300_000));
    assertThat(events.size(), lessThan(300_000 + 3_000));

    Map<String, Integer> pages = new HashMap<>();
    Set<String> users = new HashSet<>();
    Set<String> churned = new HashSet<>();
    Map<String, Long> lastTs = new HashMap<>();
    Map<String, Long> cancelledAt = new HashMap<>();
    int guests = 0;
    for (JsonNode event : events) {
      String user = event.get("userId").asText();
      if (user.isEmpty()) {
        guests++;
        assertTrue("guests carry only session fields", event.path("firstName").isMissingNode());
        continue;
      }
      users.add(user);
      pages.merge(event.get("page").asText(), 1, Integer::sum);
      lastTs.merge(user, event.get("ts").asLong(), Math::max);
      if (event.get("page").asText().equals("Cancellation Confirmation")) {
        churned.add(user);
        cancelledAt.put(user, event.get("ts").asLong());
        assertEquals("Cancelled", event.get("auth").asText());
      }
      if (event.get("page").asText().equals("NextSong")) {
        assertTrue(event.get("length").isDouble());
        assertTrue(event.get("song").isTextual());
      }
    }
    int known = events.size() - guests;
    assertThat((double) guests / events.size(), closeTo(GenerateSparkifyLog.GUEST_SHARE, 0.005));
    assertThat((double) pages.get("NextSong") / known, closeTo(0.827, 0.01));
    assertThat((double) pages.get("Thumbs Up") / known, closeTo(0.042, 0.005));
    assertThat((double) churned.size() / users.size(), closeTo(0.15, 0.04));
    for (String user : churned) {
      assertThat(
          "no event after the cancellation of " + user,
          lastTs.get(user),
          is(cancelledAt.get(user)));
    }
  }

  @Test
  public void theSameArgumentsGiveTheSameBytes() throws IOException {
    Path a = folder.getRoot().toPath().resolve("a");
    Path b = folder.getRoot().toPath().resolve("b");
    GenerateSparkifyLog.main(new String[] {a.toString(), "20000", "2", "1"});
    GenerateSparkifyLog.main(new String[] {b.toString(), "20000", "2", "1"});
    for (String file : new String[] {"part-00000.json.gz", "part-00001.json.gz"}) {
      assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)));
    }
  }

  private static List<JsonNode> read(Path dir) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json.gz")).sorted().toList()) {
        try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            events.add(mapper.readTree(line));
          }
        }
      }
    }
    return events;
  }
}
