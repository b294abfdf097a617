package dev.sluice.benchmarks;

/**
 * What {@link GenerateSparkifyLog} draws its events from: mini.json.gz's page mix, and the names,
 * places and user agents of its users.
 */
final class SparkifyVocabulary {

  private SparkifyVocabulary() {}

  /** Logged-in pages with their counts in mini.json.gz, method and status (churn pages aside). */
  static final Object[][] PAGES = {
    {"NextSong", 242_078, "PUT", 200},
    {"Thumbs Up", 12_212, "PUT", 307},
    {"Home", 10_492, "GET", 200},
    {"Add to Playlist", 6_908, "PUT", 200},
    {"Add Friend", 4_451, "PUT", 307},
    {"Roll Advert", 3_371, "GET", 200},
    {"Logout", 3_299, "PUT", 307},
    {"Thumbs Down", 2_424, "PUT", 307},
    {"Downgrade", 2_284, "GET", 200},
    {"Settings", 1_708, "GET", 200},
    {"Help", 1_444, "GET", 200},
    {"About", 554, "GET", 200},
    {"Upgrade", 518, "GET", 200},
    {"Save Settings", 352, "PUT", 307},
    {"Error", 268, "GET", 404},
    {"Submit Upgrade", 164, "PUT", 307},
    {"Submit Downgrade", 62, "PUT", 307},
  };

  /** Guest pages with their counts in mini.json.gz, and auth. */
  static final Object[][] GUEST_PAGES = {
    {"Home", 4_589, "Logged Out"},
    {"Login", 3_304, "Logged Out"},
    {"About", 504, "Logged Out"},
    {"Help", 310, "Logged Out"},
    {"Register", 43, "Guest"},
    {"Submit Registration", 28, "Guest"},
    {"Error", 15, "Logged Out"},
  };

  static final String[] FIRST_NAMES = {
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira",
        "Liam",
    "Mona", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wes", "Yara"
  };

  static final String[] LAST_NAMES = {
    "Adams", "Baker", "Cruz", "Diaz", "Evans", "Fox", "Gray", "Hess", "Ito", "Jones", "Khan",
    "Lopez", "Moss", "Nash", "Ortiz", "Price", "Reed", "Stone", "Tran", "Vega", "Wolfe", "Young",
    "Zhou"
  };

  static final String[] LOCATIONS = {
    "Peoria, IL",
    "Shreveport-Bossier City, LA",
    "La Crosse-Onalaska, WI-MN",
    "Boston, MA-NH",
    "New York-Newark-Jersey City, NY-NJ-PA",
    "Los Angeles-Long Beach-Anaheim, CA",
    "Dallas, TX",
    "Seattle-Tacoma-Bellevue, WA",
    "Miami-Fort Lauderdale-West Palm Beach, FL",
    "Denver, CO",
    "Atlanta-Sandy Springs-Roswell, GA",
    "Phoenix-Mesa-Scottsdale, AZ"
  };

  static final String[] USER_AGENTS = {
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/36.0.1985.143 Safari/537.36\"",
    "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        + "Chrome/36.0.1985.143 Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like "
        + "Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
    "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)"
  };
}
