#!/usr/bin/env python3
"""Reads the statistics table of a Gatling HTML report (index.html) and prints load.sh's summary line.

Gatling 3.15's report has no JSON statistics any more (js/stats.json is gone), so this reads the table the report
shows: columns are found by their header (Total, KO, Cnt/s, 50th pct, ...), not by position.

usage: summarize.py REPORT_DIR PREFIX    (PREFIX, e.g. "users=64 duration=20s", starts the line)
Writes the line to REPORT_DIR/summary.txt and the whole table to REPORT_DIR/summary.json; prints the line.
"""
import json
import re
import sys
from html.parser import HTMLParser

REQUESTS = ["open account", "balance", "transfer"]


class StatsTable(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headers = {}  # "col-8" -> "50th pct"
        self.rows = []  # [(name, {"col-2": "589", ...})]
        self._header_col = None
        self._in_name = False
        self._cell_col = None
        self._row = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "th" and re.fullmatch(r"col-\d+", a.get("id") or ""):
            self._header_col, self._text = a["id"], []
        elif tag == "tr" and a.get("id"):
            self._row = [None, {}]
            self.rows.append(self._row)
        elif tag == "span" and "ellipsed-name" in classes and self._row is not None:
            self._in_name, self._text = True, []
        elif tag == "td" and "value" in classes and self._row is not None:
            cols = [c for c in classes if re.fullmatch(r"col-\d+", c)]
            if cols:
                self._cell_col, self._text = cols[0], []

    def handle_endtag(self, tag):
        if tag == "th" and self._header_col:
            self.headers[self._header_col] = " ".join("".join(self._text).split())
            self._header_col = None
        elif tag == "span" and self._in_name:
            self._row[0] = "".join(self._text).strip()
            self._in_name = False
        elif tag == "td" and self._cell_col:
            self._row[1][self._cell_col] = "".join(self._text).strip()
            self._cell_col = None

    def handle_data(self, data):
        if self._header_col or self._in_name or self._cell_col:
            self._text.append(data)


def number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() and "." not in text else value


def main():
    report_dir, prefix = sys.argv[1], sys.argv[2]
    parser = StatsTable()
    with open(f"{report_dir}/index.html", encoding="utf-8") as f:
        parser.feed(f.read())
    by_header = {v: k for k, v in parser.headers.items()}
    needed = ["Total", "KO", "Cnt/s", "50th pct", "95th pct", "99th pct"]
    missing = [h for h in needed if h not in by_header]
    if missing:
        sys.exit(f"summarize.py: the report's statistics table has no column {missing} "
                 f"(columns: {sorted(parser.headers.values())}); was percentile1..3 set to 50/95/99?")
    table = {}
    for name, cells in parser.rows:
        if name is None:
            continue
        table[name] = {parser.headers[c]: number(v) if number(v) is not None else v
                       for c, v in cells.items() if c in parser.headers}
    total = table.get("All Requests")
    if total is None:
        sys.exit(f"summarize.py: no 'All Requests' row in {report_dir}/index.html")

    parts = [f"{prefix} rps={total['Cnt/s']} failed={total['KO']}"]
    for name in REQUESTS:
        row = table.get(name)
        if row is None:
            parts.append(f"{name} -")
        else:
            ko = f" failed={row['KO']}" if row["KO"] else ""
            parts.append(f"{name} p50={row['50th pct']} p95={row['95th pct']} p99={row['99th pct']}{ko}")
    line = " | ".join(parts)
    with open(f"{report_dir}/summary.txt", "w", encoding="utf-8") as f:
        f.write(line + "\n")
    with open(f"{report_dir}/summary.json", "w", encoding="utf-8") as f:
        json.dump({"summary": line, "requests": table}, f, indent=2)
        f.write("\n")
    print(line)


if __name__ == "__main__":
    main()
