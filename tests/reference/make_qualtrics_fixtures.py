#!/usr/bin/python3
"""Writes the Qualtrics fixtures of tests/cli/test_cli_qualtrics.cpp into tests/data/, with the
expected scores computed here from the scoring formulas (independently of bowlby):

  /usr/bin/python3 tests/reference/make_qualtrics_fixtures.py      (from the repository root)

Files written (the same twelve respondents in each):
  qualtrics_key.json             a six-item key: anxiety Q1 Q3 Q5 (Q3 reversed), avoidance Q2 Q4
                                 Q6 (Q2, Q6 reversed), scale 1-5, min_answered 0.5
  qualtrics_plain.csv            id,Q1..Q6: the answers 1-5, empty when not given
  qualtrics_current.csv          the current Qualtrics export: column names, question texts
                                 (commas, doubled quotes, a line break), {"ImportId":...} row;
                                 answers written with Qualtrics' recode values 8-12 for 1-5
  qualtrics_legacy.csv           the legacy export: V1..V10 and Q1..Q6, question texts in row 2;
                                 answers 1-5
  qualtrics.expected.csv         row, each score and its answered count, status
  qualtrics_excluded.expected.csv  the same with --exclude DistributionChannel=preview
                                 --exclude Finished=0: those rows' status is excluded
  qualtrics_excluded.report.csv  score, n, mean, sd over the rows not excluded

Scoring: reversed answers are (1 + 5) - x; a subscale's score is the mean of its answered keyed
items when at least max(1, ceil(0.5 k)) of its k items are answered (2 of 3 here), else
missing; status complete (all answered), prorated, or insufficient; a row's status is the least
complete of its scores.
"""
import csv
import io
import json
import math
import os
import statistics

OUT = os.path.join("tests", "data")
LO, HI = 1, 5
SUBSCALES = [("anxiety", [1, 3, 5], [3]), ("avoidance", [2, 4, 6], [2, 6])]
RECODE = {1: 8, 2: 9, 3: 10, 4: 11, 5: 12}  # Qualtrics' values for the answers 1-5

# Twelve respondents: answers to Q1..Q6 (None: not answered), distribution channel, finished.
RESPONDENTS = [
    ([1, 2, 3, 4, 5, 1], "anonymous", 1),
    ([5, 5, 4, 4, 3, 3], "anonymous", 1),
    ([2, None, 2, 3, None, 4], "anonymous", 1),
    ([3, 3, None, None, 1, None], "preview", 1),
    ([4, 1, 5, 2, 2, 5], "anonymous", 1),
    ([None, None, None, 5, 4, 3], "anonymous", 0),
    ([1, 1, 1, 1, 1, 1], "anonymous", 1),
    ([5, 4, 3, 2, 1, 2], "preview", 1),
    ([2, 3, 4, 5, 4, 3], "anonymous", 1),
    ([3, 5, 2, 1, None, 2], "anonymous", 0),
    ([4, 4, 4, 4, 4, 4], "anonymous", 1),
    ([1, 5, 2, 4, 3, 3], "anonymous", 1),
]

QUESTIONS = [
    "I worry about being abandoned, now and then.",
    'I prefer not to show a partner "how I feel" deep down.',
    "I rarely worry, if ever,\nabout my relationships.",
    "I am comfortable being close; mostly.",
    'My desire to be very close sometimes scares people "away", I think.',
    "I find it easy to depend on romantic partners.",
]


def score(answers):
    """Per subscale (value or None, answered count, status)."""
    out = []
    for _, items, reversed_items in SUBSCALES:
        keyed = []
        for i in items:
            x = answers[i - 1]
            if x is None:
                continue
            keyed.append((LO + HI) - x if i in reversed_items else x)
        k, n = len(items), len(keyed)
        need = max(1, math.ceil(0.5 * k - 1e-9))
        value = sum(keyed) / n if n >= need else None
        status = "complete" if n == k else "prorated" if n >= need else "insufficient"
        out.append((value, n, status))
    return out


def number(v):
    # The shortest text that reads back as the same double, as bowlby writes it.
    if v is None:
        return ""
    return repr(float(v)) if not float(v).is_integer() else str(int(v))


def write(name, text):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        f.write(text)


def csv_text(rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    return buf.getvalue()


def csv_all_quoted(rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buf.getvalue()


def cell(x, recode=False):
    if x is None:
        return ""
    return str(RECODE[x] if recode else x)


def main():
    os.makedirs(OUT, exist_ok=True)
    key = {
        "bowlby_key": 1,
        "id": "qualtrics-six",
        "name": "Six items for the Qualtrics fixtures",
        "scale": {"min": LO, "max": HI},
        "items": ["Q%d" % i for i in range(1, 7)],
        "subscales": [
            {"name": n, "items": ["Q%d" % i for i in items], "reversed": ["Q%d" % i for i in rev]}
            for n, items, rev in SUBSCALES
        ],
        "min_answered": 0.5,
    }
    write("qualtrics_key.json", json.dumps(key, indent=2) + "\n")

    items = ["Q%d" % i for i in range(1, 7)]
    plain = [["id"] + items]
    for k, (answers, _, _) in enumerate(RESPONDENTS):
        plain.append(["R_%02d" % (k + 1)] + [cell(x) for x in answers])
    write("qualtrics_plain.csv", csv_text(plain))

    # The current export: every cell quoted, CRLF line ends (as Qualtrics writes them).
    fixed = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
             "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage"]
    fixed_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                  "Finished", "Recorded Date", "Response ID", "Distribution Channel", "User Language"]
    fixed_ids = ['{"ImportId":"startDate","timeZone":"America/Denver"}',
                 '{"ImportId":"endDate","timeZone":"America/Denver"}', '{"ImportId":"status"}',
                 '{"ImportId":"ipAddress"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
                 '{"ImportId":"finished"}', '{"ImportId":"recordedDate","timeZone":"America/Denver"}',
                 '{"ImportId":"_recordId"}', '{"ImportId":"distributionChannel"}', '{"ImportId":"userLanguage"}']
    current = [fixed + items, fixed_text + QUESTIONS, fixed_ids + ['{"ImportId":"QID%d"}' % i for i in range(1, 7)]]
    for k, (answers, channel, finished) in enumerate(RESPONDENTS):
        current.append(["2026-11-%02d 10:00:00" % (k + 1), "2026-11-%02d 10:05:00" % (k + 1),
                        "Survey Preview" if channel == "preview" else "IP Address", "192.0.2.%d" % (k + 1),
                        "100" if finished else "60", str(300 + k), str(finished), "2026-11-%02d 10:05:01" % (k + 1),
                        "R_%02d" % (k + 1), channel, "EN"] + [cell(x, recode=True) for x in answers])
    write("qualtrics_current.csv", csv_all_quoted(current))

    # The legacy export: V1.. for Qualtrics' own columns, Q1.. for the questions; row 2 the texts.
    legacy_fixed = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress",
                    "Status", "StartDate", "EndDate", "Finished"]
    legacy = [["V%d" % (i + 1) for i in range(len(legacy_fixed))] + items, legacy_fixed + QUESTIONS]
    for k, (answers, channel, finished) in enumerate(RESPONDENTS):
        legacy.append(["R_%02d" % (k + 1), "Default Response Set", "Anonymous", "", "", "192.0.2.%d" % (k + 1),
                       "1" if channel == "preview" else "0", "2026-11-%02d 10:00:00" % (k + 1),
                       "2026-11-%02d 10:05:00" % (k + 1), str(finished)] + [cell(x) for x in answers])
    write("qualtrics_legacy.csv", csv_text(legacy))

    header = ["row"] + [c for n, _, _ in SUBSCALES for c in (n, n + "_n")] + ["status"]
    rank = ["complete", "prorated", "insufficient"]
    expected, excluded = [header], [header]
    kept_scores = {n: [] for n, _, _ in SUBSCALES}
    for k, (answers, channel, finished) in enumerate(RESPONDENTS):
        s = score(answers)
        cells = [str(k + 1)] + [c for v, n, _ in s for c in (number(v), str(n))]
        worst = rank[max(rank.index(st) for _, _, st in s)]
        expected.append(cells + [worst])
        out = channel == "preview" or finished == 0
        excluded.append(cells + ["excluded" if out else worst])
        if not out:
            for (name, _, _), (v, _, _) in zip(SUBSCALES, s):
                if v is not None:
                    kept_scores[name].append(v)
    write("qualtrics.expected.csv", csv_text(expected))
    write("qualtrics_excluded.expected.csv", csv_text(excluded))
    report = [["score", "n", "mean", "sd"]]
    for name, _, _ in SUBSCALES:
        v = kept_scores[name]
        report.append([name, str(len(v)), repr(statistics.fmean(v)), repr(statistics.stdev(v))])
    write("qualtrics_excluded.report.csv", csv_text(report))


if __name__ == "__main__":
    main()
