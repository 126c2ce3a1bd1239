"""One-off: free-text citations (`article: "art. 10d lid 4 (tekst 2025-01-01)"`) to structured
ones (`article: "10d", lid: "4", text_date: 2025-01-01`), and source urls on wetten.overheid.nl
and lokaleregelgeving.overheid.nl to `bwb:` / `cvdr:` ids. Edits only `sources:` entries and
`source:` lines, as text, so comments and everything else stay as they are. Prints what it
cannot parse; those are fixed by hand.

    python scripts/migrate_citations.py rules tests/fixtures
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

ISO = r"\d{4}-\d{2}-\d{2}"
SOURCE_ENTRY = re.compile(r"^(\s+)([a-z_0-9]+): \{(title: .*)\}\s*$")
CITE = re.compile(r"^(\s+source: )\{ref: ([a-z_0-9]+), article: (\"[^\"]*\"|[^}]*)\}\s*$")
ARTICLE = re.compile(
    r"^art\. (?P<art>\d+[a-z]*(?:[.:]\d+[a-z]*)*)"
    r"(?: lid (?P<lid>\d+(?:(?:, | en | tot en met )\d+)*))?"
    r"(?: onder (?P<ond>[a-z](?: \d+°)?(?: en [a-z](?![a-z.]))?))?"
    r"(?P<rest>.*)$"
)
PART = re.compile(
    r"^(?P<art>aanhef|titel|algemene toelichting|toelichting|paragraaf \d+)(?P<rest>.*)$"
)


UNKNOWN_DATE = "tekstversie niet vastgelegd: datum is het begin van de regelset"


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def dutch(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day}-{d.month}-{d.year}"


def source_date(fields: str) -> str | None:
    """The date of the text a source entry says was read."""
    m = re.search(rf"wetten\.overheid\.nl/BWBR\d+/({ISO})", fields) or re.search(
        rf"\(tekst ({ISO})\)", fields
    )
    if m:
        return m.group(1)
    m = re.search(rf"gelezen op ({ISO})", fields)
    if m:
        return m.group(1)
    m = re.search(r"(?:geldend van|in werking) (\d{2})-(\d{2})-(\d{4})", fields)
    if m:
        return f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    return None


def migrate_source(line: str) -> tuple[str, dict]:
    m = SOURCE_ENTRY.match(line)
    if not m:
        return line, {}
    indent, key, fields = m.groups()
    info = {"key": key, "date": source_date(fields), "kind": "url"}
    bwb = re.search(r"url: \"?https?://wetten\.overheid\.nl/(BWBR\d{7})[^,}\"]*\"?", fields)
    if bwb:
        fields = fields.replace(bwb.group(0), f"bwb: {bwb.group(1)}")
        info["kind"] = "bwb"
    else:
        cvdr = re.search(r"(?:lokaleregelgeving\.overheid\.nl|officiele-overheidspublicaties"
                         r"\.nl/cvdr)/(CVDR\d+)(/\d+)?", fields, re.I)
        cvdr = cvdr or re.search(r"/(CVDR\d+)()\.html", fields)
        if cvdr:
            ident = cvdr.group(1) + (cvdr.group(2) or "")
            if "lokaleregelgeving" in cvdr.group(0):
                fields = re.sub(r"url: \"?https://lokaleregelgeving[^,}\"]*\"?", f"cvdr: {ident}", fields)
            else:
                fields = fields.replace("url: ", f"cvdr: {ident}, url: ", 1)
            info["kind"] = "cvdr"
    fields = re.sub(rf" \(tekst {ISO}\)", "", fields)
    return f"{indent}{key}: {{{fields}}}\n", info


def parse_article(text: str) -> dict | None:
    text = text.strip().strip('"')
    dates = []
    def take(m: re.Match) -> str:
        dates.extend(re.findall(ISO, m.group(0)))
        return ""
    text = re.sub(rf" ?\(tekst(?:en)? {ISO}(?:(?:, | en ){ISO})*\)", take, text).strip()
    m = ARTICLE.match(text) or PART.match(text)
    if not m:
        return None
    out = {"article": m.group("art")}
    gd = m.groupdict()
    if gd.get("lid"):
        out["lid"] = gd["lid"]
    if gd.get("ond"):
        out["onderdeel"] = gd["ond"]
    rest = m.group("rest").strip()
    if rest.startswith(";"):
        rest = "ook " + rest[1:].strip()
    rest = rest.lstrip(", ").strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1]
    if len(dates) > 1:
        rest = (rest + "; " if rest else "") + "ook tekst " + " en ".join(map(dutch, dates[1:]))
    if rest:
        out["note"] = rest
    if dates:
        out["text_date"] = dates[0]
    return out


def migrate_file(path: Path, prov_date: dict[str, str]) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    sources: dict[str, dict] = {}
    out, problems, in_sources = [], [], False
    valid_from = next(
        (re.findall(ISO, line)[0] for line in lines if line.startswith("valid_from:")), "TODO"
    )
    for line in lines:
        if line.startswith("sources:"):
            in_sources = True
        elif in_sources and not line.startswith(" "):
            in_sources = False
        if in_sources:
            line, info = migrate_source(line)
            if info:
                sources[info["key"]] = info
        m = CITE.match(line)
        if m:
            indent, ref, article = m.groups()
            src = sources.get(ref, {})
            parsed = parse_article(article)
            if parsed is None:
                if src.get("kind") == "url":
                    parsed = {"article": article.strip().strip('"')}
                else:  # no article read: the regulation as a whole, said so
                    problems.append(f"{path}: {ref}: {article} -> titel")
                    parsed = {"article": "titel", "note": article.strip().strip('"')}
            day = parsed.pop("text_date", None) or src.get("date")
            if day is None:  # the file does not say which version was read: say so
                problems.append(f"{path}: {ref}: geen tekstdatum -> {valid_from}")
                day = valid_from
                note = parsed.get("note")
                parsed["note"] = (note + "; " if note else "") + UNKNOWN_DATE
            parts = [f"ref: {ref}"] + [f"{k}: {q(v)}" for k, v in parsed.items()]
            parts.append(f"text_date: {day}")
            line = f"{indent}{{{', '.join(parts)}}}\n"
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")
    return problems


if __name__ == "__main__":
    prov = {}  # file -> date the rule set says it was read, filled in by hand where needed
    todo = []
    for root in sys.argv[1:]:
        for path in sorted(Path(root).rglob("*.yaml")):
            if "parameters" in path.parts or path.name in ("geografie.yaml", "catalogus.yaml",
                                                           "dekking.yaml"):
                continue
            todo += migrate_file(path, prov)
    print("\n".join(todo))
