"""Deadlines out: CSV for a spreadsheet, iCalendar (RFC 5545) for a person's calendar.

Each deadline is an all-day event whose UID is stable per placement, kind and instrument, so
importing a newer export updates the event rather than adding a second one.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

CSV_COLUMNS = ["ref", "datum", "omschrijving", "instrument", "soort", "regel", "bron", "bron_url"]
# Dutch Excel: a list separator ";" (the comma is the decimal sign) and a byte-order mark, without
# which it reads UTF-8 as Windows-1252 (€ and ë garbled)
BOM = "\ufeff"
DELIMITER = ";"


def to_csv(deadlines: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for d in deadlines:
        writer.writerow(
            [d["ref"], d["due"], d["label"], d["instrument"] or "", d["kind"], d["rule"] or "",
             d["source"], d["source_url"] or ""]
        )  # fmt: skip
    return out.getvalue()


def to_ics(deadlines: list[dict[str, Any]], now: datetime | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Arrangeur//caseload//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Arrangeur caseload: termijnen")
    stamp = now or datetime.now(UTC)
    for d in deadlines:
        due = date.fromisoformat(d["due"])
        key = f"{d['ref']}|{d['kind']}|{d['instrument'] or ''}"
        event = Event()
        event.add("uid", hashlib.sha256(key.encode()).hexdigest()[:32] + "@arrangeur")
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"{d['ref']}: {d['label']}")
        lines = [f"Bron: {d['source']}"]
        if d["rule"]:
            lines.append(f"Regel: {d['rule']}")
        if d["source_url"]:
            lines.append(d["source_url"])
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
