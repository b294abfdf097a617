#!/usr/bin/env python3
"""Builds testdata/churn/ from ../shared/data: a small slice of real events and the expected outputs.

The expected outputs are computed here, in plain Python, independently of the Java code, from the
Sparkify churn rules: guest events (userId "") are skipped; a user has churned when any of their
events is on page "Cancellation Confirmation"; churn = this event is on that page; label = 1 if the
user churned, else 0. Run from the repository root:  python3 scripts/testdata/make_churn_testdata.py
"""
import collections
import gzip
import json
import os

SHARED = os.path.join("..", "shared", "data")
OUT = os.path.join("testdata", "churn")
CHURN_PAGES = {"Cancellation Confirmation"}
FIELDS = ["artist", "auth", "firstName", "gender", "itemInSession", "lastName", "length", "level",
          "location", "method", "page", "registration", "sessionId", "song", "status", "ts",
          "userAgent", "userId"]
GUEST_ROWS = 150

MALFORMED = [
    ("not json at all", "malformed JSON"),
    ("[1,2,3]", "not a JSON object"),
    ('{"ts":1538352009000,"page":"NextSong"}', "missing field 'userId'"),
    ('{"userId":"25","page":"NextSong"}', "missing field 'ts'"),
    ('{"ts":1538352009000,"userId":"25","page":null}', "missing field 'page'"),
    ('{"ts":"yesterday","userId":"25","page":"Home"}', "field 'ts' must be an integer, got STRING"),
    ('{"ts":1538352009000,"userId":25,"page":"Home"}', "field 'userId' must be a string, got NUMBER 25"),
    ('{"ts":1538352009000,"userId":"25","page":"Home","sessionId":"abc"}',
     "field 'sessionId' must be an integer, got STRING"),
    ('{"ts":1538352009000,"userId":"25","pa', "malformed JSON"),
]


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def main():
    eventsim = read_lines(os.path.join(SHARED, "eventsim", "mini.json.gz"))
    events = [json.loads(l) for l in eventsim]
    per_user = collections.Counter(e["userId"] for e in events if e["userId"])
    churned = {e["userId"] for e in events if e["page"] in CHURN_PAGES}
    pick_churned = sorted((c, u) for u, c in per_user.items() if u in churned)[:5]
    pick_stayed = sorted((c, u) for u, c in per_user.items() if u not in churned)[:15]
    users = {u for _, u in pick_churned + pick_stayed}
    guests = [l for l, e in zip(eventsim, events) if e["userId"] == ""][:GUEST_ROWS]
    chosen = [l for l, e in zip(eventsim, events) if e["userId"] in users]
    # One exact duplicate of a churned user's event: duplicates are kept, as Spark keeps them.
    dup = next(l for l, e in zip(eventsim, events) if e["userId"] == pick_churned[0][1])
    eventsim_slice = chosen[:10] + [dup] + chosen[10:] + guests

    # Two whole users of the real November 2018 log, whose ids do not clash with the slice above
    # (registration is written as a float there, and files lack a trailing newline).
    nov = []
    for day in sorted(os.listdir(os.path.join(SHARED, "sparkify-log-2018-11"))):
        if day.endswith(".json.gz"):
            nov += read_lines(os.path.join(SHARED, "sparkify-log-2018-11", day))
    nov_events = [json.loads(l) for l in nov]
    nov_counts = collections.Counter(e["userId"] for e in nov_events if e["userId"])
    nov_users = [u for u, _ in sorted(nov_counts.items(), key=lambda x: (x[1], x[0]))
                 if u not in per_user][:2]
    nov_slice = [l for l, e in zip(nov, nov_events) if e["userId"] in nov_users]

    os.makedirs(os.path.join(OUT, "input"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    with gzip.GzipFile(os.path.join(OUT, "input", "eventsim-slice.json.gz"), "wb", mtime=0) as f:
        f.write(("\n".join(eventsim_slice) + "\n").encode("utf-8"))
    with open(os.path.join(OUT, "input", "sparkify-2018-11-slice.json"), "w", encoding="utf-8") as f:
        f.write("\n".join(nov_slice))  # no trailing newline, like the original files
    with open(os.path.join(OUT, "input", "malformed.json"), "w", encoding="utf-8") as f:
        f.write("\n".join(l for l, _ in MALFORMED[:4]) + "\n\n" +
                "\n".join(l for l, _ in MALFORMED[4:]) + "\n")

    good = [json.loads(l) for l in eventsim_slice + nov_slice]
    known = [e for e in good if e["userId"] != ""]
    churned_users = {e["userId"] for e in known if e["page"] in CHURN_PAGES}
    labelled = []
    for e in known:
        row = {k: e.get(k) for k in FIELDS}
        if row["registration"] is not None:
            row["registration"] = int(row["registration"])
        row["churn"] = e["page"] in CHURN_PAGES
        row["label"] = 1 if e["userId"] in churned_users else 0
        labelled.append(row)

    def write(name, rows):
        with open(os.path.join(OUT, "expected", name), "w", encoding="utf-8") as f:
            for r in sorted(rows, key=lambda r: json.dumps(r, sort_keys=True)):
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

    write("labelled.json", labelled)
    write("stayed.json", [r for r in labelled if r["label"] == 0])
    write("cancelled.json", [r for r in labelled if r["label"] == 1])
    write("dead-letter.json", [{"source": "malformed.json", "step": "ParseSparkifyEvents",
                                "reason": reason, "payload": line} for line, reason in MALFORMED])
    summary = {
        "events_read": len(good) + len(MALFORMED),
        "blank_lines_skipped": 1,
        "guest_events_skipped": len(good) - len(known),
        "dead_letters": len(MALFORMED),
        "labelled_events": len(labelled),
        "stayed_events": sum(1 for r in labelled if r["label"] == 0),
        "cancelled_events": sum(1 for r in labelled if r["label"] == 1),
        "churned_users": len(churned_users),
        "stayed_users": len({r["userId"] for r in labelled}) - len(churned_users),
    }
    with open(os.path.join(OUT, "expected", "summary.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
