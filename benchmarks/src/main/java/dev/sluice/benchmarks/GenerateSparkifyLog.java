package dev.sluice.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a synthetic Sparkify event log, the input of the churn benchmark at sizes the bundled
 * {@code eventsim/mini.json.gz} (301,442 events, 223 users) does not reach.
 *
 * <p>{@code GenerateSparkifyLog OUT EVENTS [FILES [SEED]]} writes {@code OUT/part-NNNNN.json.gz}:
 * JSON lines with the Sparkify fields in eventsim's order, users spread over the files (4 by
 * default, so readers of non-splittable gzip have work for several cores), at least {@code EVENTS}
 * events in all. The output is a function of the arguments: the same arguments give the same bytes.
 *
 * <p>The shape follows eventsim's {@code mini.json.gz}, measured with a script over it:
 *
 * <ul>
 *   <li>whole users: each has a name, gender, location, user agent, registration time and level,
 *       and about 13 sessions (uniform 1 to 25) of about 99 events each (exponential), spread over
 *       2018-10-01 to 2018-12-01 UTC, one after another; {@code itemInSession} counts from 0 in
 *       each session, {@code ts} advances by the song's length after {@code NextSong} and by 5 to
 *       60 s otherwise;
 *   <li>the page mix of mini's logged-in events ({@link #SparkifyVocabulary.PAGES}: 82.7% {@code
 *       NextSong}, 4.2% {@code Thumbs Up}, ...), with each page's method and status; {@code Submit
 *       Upgrade} and {@code Submit Downgrade} switch the level;
 *   <li>15% of users churn: their last session ends with {@code Cancel} then {@code Cancellation
 *       Confirmation} (auth {@code Cancelled}), and they have no later event;
 *   <li>2.9% of events are guests' ({@code userId} empty, auth {@code Logged Out} or {@code
 *       Guest}), with only the session fields, as in mini.
 * </ul>
 */
public final class GenerateSparkifyLog {

  /** Share of users who churn. */
  static final double CHURN_RATE = 0.15;

  /** Share of events that are guests'. */
  static final double GUEST_SHARE = 8_793.0 / 301_442;

  /** The file, written last, that records what the log holds; readers skip it (leading _). */
  static final String MANIFEST = "_GENERATED";

  private static final long START = 1_538_352_000_000L; // 2018-10-01T00:00:00Z
  private static final long SPAN = 61L * 24 * 3600 * 1000; // to 2018-12-01
  private static final int ARTISTS = 4_000;
  private static final int SONGS_PER_ARTIST = 25;

  private static final JsonFactory JSON = new JsonFactory();

  private final long seed;
  private final double[] pageWeights = cumulative(SparkifyVocabulary.PAGES);
  private final double[] guestWeights = cumulative(SparkifyVocabulary.GUEST_PAGES);
  private long nextSessionId = 1;

  GenerateSparkifyLog(long seed) {
    this.seed = seed;
  }

  /**
   * Writes the log.
   *
   * @param args output directory, number of events (at least), number of files (default 4), seed
   *     (default 42)
   * @throws IOException if a file cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 4) {
      throw new IllegalArgumentException("usage: GenerateSparkifyLog OUT EVENTS [FILES [SEED]]");
    }
    long events = Long.parseLong(args[1]);
    int files = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
    Path out = Path.of(args[0]);
    Counts counts = new GenerateSparkifyLog(seed).write(out, events, files);
    // Written last: its presence says the log is complete.
    Files.writeString(
        out.resolve(MANIFEST),
        String.format(
            Locale.ROOT,
            "events=%d guest_events=%d users=%d churned_users=%d files=%d seed=%d%n",
            counts.events,
            counts.guestEvents,
            counts.users,
            counts.churnedUsers,
            files,
            seed));
    System.out.printf(
        Locale.ROOT,
        "%,d events (%,d of guests), %,d users, %,d churned, in %d files under %s%n",
        counts.events,
        counts.guestEvents,
        counts.users,
        counts.churnedUsers,
        files,
        args[0]);
  }

  /**
   * The number of events a complete log under {@code out} holds, from its manifest.
   *
   * @throws IOException if there is no manifest (the log is missing or was not finished)
   */
  static long eventsWritten(Path out) throws IOException {
    String manifest = Files.readString(out.resolve(MANIFEST));
    for (String field : manifest.trim().split(" ")) {
      if (field.startsWith("events=")) {
        return Long.parseLong(field.substring("events=".length()));
      }
    }
    throw new IOException("no events= in " + out.resolve(MANIFEST));
  }

  /** What was written. */
  static final class Counts {
    long events;
    long guestEvents;
    long users;
    long churnedUsers;
  }

  /**
   * Writes users until at least {@code events} events are written, user {@code i} to file {@code i
   * % files}.
   */
  Counts write(Path out, long events, int files) throws IOException {
    Files.createDirectories(out);
    List<JsonGenerator> writers = new ArrayList<>();
    Counts counts = new Counts();
    try {
      for (int f = 0; f < files; f++) {
        OutputStream file =
            new GZIPOutputStream(
                new BufferedOutputStream(
                    Files.newOutputStream(out.resolve(String.format("part-%05d.json.gz", f))),
                    1 << 16),
                1 << 16);
        JsonGenerator json = JSON.createGenerator(file);
        json.setRootValueSeparator(null);
        writers.add(json);
      }
      long userEventsTarget = Math.round(events * (1 - GUEST_SHARE));
      while (counts.events - counts.guestEvents < userEventsTarget) {
        long user = counts.users++;
        JsonGenerator json = writers.get((int) (user % files));
        writeUser(json, user, counts);
      }
      // Guests, spread over the files in their own sessions.
      SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
      int file = 0;
      while (counts.events < events) {
        writeGuestSession(writers.get(file), random, counts);
        file = (file + 1) % files;
      }
    } finally {
      for (JsonGenerator json : writers) {
        json.close();
      }
    }
    return counts;
  }

  private void writeUser(JsonGenerator json, long user, Counts counts) throws IOException {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + user);
    String userId = Long.toString(user + 1);
    String firstName =
        SparkifyVocabulary.FIRST_NAMES[random.nextInt(SparkifyVocabulary.FIRST_NAMES.length)];
    String lastName =
        SparkifyVocabulary.LAST_NAMES[random.nextInt(SparkifyVocabulary.LAST_NAMES.length)];
    String gender = random.nextBoolean() ? "M" : "F";
    String location =
        SparkifyVocabulary.LOCATIONS[random.nextInt(SparkifyVocabulary.LOCATIONS.length)];
    String userAgent =
        SparkifyVocabulary.USER_AGENTS[random.nextInt(SparkifyVocabulary.USER_AGENTS.length)];
    long registration = START - random.nextLong(1, 180L * 24 * 3600 * 1000);
    String level = random.nextDouble() < 0.8 ? "paid" : "free";
    boolean churns = random.nextDouble() < CHURN_RATE;
    int sessions = random.nextInt(1, 26);
    long[] starts = new long[sessions];
    for (int s = 0; s < sessions; s++) {
      starts[s] = START + random.nextLong(SPAN);
    }
    java.util.Arrays.sort(starts);
    long ts = START;
    for (int s = 0; s < sessions; s++) {
      long sessionId = nextSessionId++;
      int length = 1 + (int) (-Math.log(1 - random.nextDouble()) * 98);
      boolean last = s == sessions - 1;
      // Sessions do not overlap: a long one pushes the next one back (at least 30 min later).
      ts = Math.max(starts[s], ts + 30 * 60 * 1000L);
      int item = 0;
      for (; item < length; item++) {
        int page = pick(pageWeights, random);
        String name = (String) SparkifyVocabulary.PAGES[page][0];
        Double songLength = null;
        String artist = null;
        String song = null;
        if (name.equals("NextSong")) {
          int a = random.nextInt(ARTISTS);
          artist = "Artist " + a;
          song = "Song " + a + "-" + random.nextInt(SONGS_PER_ARTIST);
          songLength = Math.round((120 + random.nextDouble() * 240) * 100_000) / 100_000.0;
        } else if (name.equals("Submit Upgrade")) {
          level = "paid";
        } else if (name.equals("Submit Downgrade")) {
          level = "free";
        }
        writeEvent(
            json,
            ts,
            userId,
            sessionId,
            name,
            "Logged In",
            (String) SparkifyVocabulary.PAGES[page][2],
            (int) SparkifyVocabulary.PAGES[page][3],
            level,
            item,
            location,
            userAgent,
            lastName,
            firstName,
            registration,
            gender,
            artist,
            song,
            songLength);
        counts.events++;
        ts += songLength != null ? Math.round(songLength * 1000) : random.nextLong(5_000, 60_000);
      }
      if (last && churns) {
        writeEvent(
            json,
            ts,
            userId,
            sessionId,
            "Cancel",
            "Logged In",
            "PUT",
            307,
            level,
            item++,
            location,
            userAgent,
            lastName,
            firstName,
            registration,
            gender,
            null,
            null,
            null);
        ts += random.nextLong(1_000, 10_000);
        writeEvent(
            json,
            ts,
            userId,
            sessionId,
            "Cancellation Confirmation",
            "Cancelled",
            "GET",
            200,
            level,
            item,
            location,
            userAgent,
            lastName,
            firstName,
            registration,
            gender,
            null,
            null,
            null);
        counts.events += 2;
        counts.churnedUsers++;
      }
    }
  }

  private void writeGuestSession(JsonGenerator json, SplittableRandom random, Counts counts)
      throws IOException {
    long sessionId = nextSessionId++;
    long ts = START + random.nextLong(SPAN);
    int length = random.nextInt(1, 4);
    for (int item = 0; item < length; item++) {
      int page = pick(guestWeights, random);
      json.writeStartObject();
      json.writeNumberField("ts", ts);
      json.writeStringField("userId", "");
      json.writeNumberField("sessionId", sessionId);
      json.writeStringField("page", (String) SparkifyVocabulary.GUEST_PAGES[page][0]);
      json.writeStringField("auth", (String) SparkifyVocabulary.GUEST_PAGES[page][2]);
      json.writeStringField("method", "GET");
      json.writeNumberField(
          "status", SparkifyVocabulary.GUEST_PAGES[page][0].equals("Error") ? 404 : 200);
      json.writeStringField("level", "free");
      json.writeNumberField("itemInSession", item);
      json.writeEndObject();
      json.writeRaw('\n');
      counts.events++;
      counts.guestEvents++;
      ts += random.nextLong(5_000, 60_000);
    }
  }

  private static void writeEvent(
      JsonGenerator json,
      long ts,
      String userId,
      long sessionId,
      String page,
      String auth,
      String method,
      int status,
      String level,
      int item,
      String location,
      String userAgent,
      String lastName,
      String firstName,
      long registration,
      String gender,
      String artist,
      String song,
      Double length)
      throws IOException {
    json.writeStartObject();
    json.writeNumberField("ts", ts);
    json.writeStringField("userId", userId);
    json.writeNumberField("sessionId", sessionId);
    json.writeStringField("page", page);
    json.writeStringField("auth", auth);
    json.writeStringField("method", method);
    json.writeNumberField("status", status);
    json.writeStringField("level", level);
    json.writeNumberField("itemInSession", item);
    json.writeStringField("location", location);
    json.writeStringField("userAgent", userAgent);
    json.writeStringField("lastName", lastName);
    json.writeStringField("firstName", firstName);
    json.writeNumberField("registration", registration);
    json.writeStringField("gender", gender);
    if (artist != null) {
      json.writeStringField("artist", artist);
      json.writeStringField("song", song);
      json.writeNumberField("length", length);
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  private static double[] cumulative(Object[][] table) {
    double[] cumulative = new double[table.length];
    double total = 0;
    for (int i = 0; i < table.length; i++) {
      total += ((Number) table[i][1]).doubleValue();
      cumulative[i] = total;
    }
    for (int i = 0; i < table.length; i++) {
      cumulative[i] /= total;
    }
    return cumulative;
  }

  private static int pick(double[] cumulative, SplittableRandom random) {
    double u = random.nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }
}
