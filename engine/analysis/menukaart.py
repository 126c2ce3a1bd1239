"""The menukaart: a region's instruments × gemeenten as the spreadsheet a region keeps, out of
the rule base and back in as validated rule sets.

The workbook has one sheet per kind of row. `Regelsets`, `Bronnen`, `Regels` and `Afgeleid` are
read back; `Overzicht` (instrument × gemeente) and the columns marked "alleen lezen" (the
condition in words, the instrument's name, the provider, the gemeenten) are written for people
and ignored on import. CSV holds one flat table: each rule row carries its rule set's columns and
its source's title and address.

Import never half-applies: the new files are written into a copy of the rule base, the whole
copy is validated, and only then are the files put in place. A rule set that reads the same as
the version in force is left alone; a changed one becomes a new version from its validity date,
and the version before it is closed the day before.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from engine.analysis.diff import rule_changes
from engine.analysis.report import resolve_region
from engine.analysis.wording import condition_in_words
from engine.arrangement import Engine, authority_label
from engine.errors import ExpressionError, PlacementError, Problem, RulesError
from engine.expressions import from_structure, parse
from engine.labels import PROVENANCE as PROVENANCE_NL
from engine.rulesets.loader import RuleSet, load_ruleset
from engine.rulesets.registry import RuleBase, load_rulebase
from engine.yamlio import load_value

RULESET_COLS = ["regelset", "instantie", "versie", "titel", "geldig vanaf", "geldig tot",
                "herkomst", "toelichting herkomst", "volgt regelsets",
                "uitgevoerd door", "geldt in"]  # fmt: skip
SOURCE_COLS = ["regelset", "bron", "titel", "url", "versie", "bwb", "cvdr"]
# A citation's structure (docs/rule-format.md, "Citations"): column and key in the rule file.
CITE_COLS = {"lid": "lid", "onderdeel": "onderdeel", "noot": "note", "tekstdatum": "text_date"}
RULE_COLS = ["regelset", "regel", "instrument", "instrument (alleen lezen)",
             "aanbieder (alleen lezen)", "gemeenten (alleen lezen)",
             "voorwaarden in woorden (alleen lezen)", "voorwaarde", "uitkomst", "duur (maanden)",
             "parameters", "bedragen", "toelichting", "bron", "artikel", "bron-url",
             *CITE_COLS]  # fmt: skip
DERIVED_COLS = ["regelset", "feit", "waarde", "voorwaarde", "toelichting", "bron", "artikel",
                *CITE_COLS]  # fmt: skip
CSV_COLS = [*RULESET_COLS, *RULE_COLS[1:], "brontitel", "bronadres", "bron-bwb", "bron-cvdr"]
SHEETS = {"Regelsets": RULESET_COLS, "Bronnen": SOURCE_COLS, "Regels": RULE_COLS,
          "Afgeleid": DERIVED_COLS}  # fmt: skip

THEN_NL = {"eligible": "in aanmerking", "excluded": "uitgesloten",
           "needs_assessment": "ter beoordeling"}  # fmt: skip
THEN = {v: k for k, v in THEN_NL.items()} | {k: k for k in THEN_NL}
PROVENANCE = {v: k for k, v in PROVENANCE_NL.items()} | {k: k for k in PROVENANCE_NL}
PERIOD_NL = {"month": "maand", "year": "jaar"}
PERIOD = {v: k for k, v in PERIOD_NL.items()} | {k: k for k in PERIOD_NL}
DURATION = "duur_maanden"


class MenukaartError(Exception):
    """Bad rows, each named by sheet, row and column (in Dutch)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int
    column: str

    def __str__(self) -> str:
        return f"blad '{self.sheet}', rij {self.row}, kolom '{self.column}'"


# ------------------------------------------------------------------------------- export


def _naam(rb: RuleBase, code: str) -> str:
    """A gemeente's name; its code when the geography lacks it (rules are validated against it)."""
    found = rb.geography.by_code(code)
    return found.naam if found is not None else code


def region_rulesets(rb: RuleBase, region_id: str, when: date) -> list[RuleSet]:
    """The region's own rule sets in force: its regional ones and those of its gemeenten."""
    codes = {g.code for g in rb.geography.gemeenten if g.regio == region_id and g.exists_on(when)}
    return [
        rs
        for rs in rb.rulesets
        if rs.in_force(when)
        and (
            rs.authority == f"regio:{region_id}" or rs.authority.removeprefix("gemeente:") in codes
        )
    ]


def _raw(rs: RuleSet) -> dict[str, Any]:
    """The rule set as written (texts of conditions and amounts exactly as in the file)."""
    return yaml.safe_load(Path(rs.file).read_text(encoding="utf-8"))


def _flow(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


def tables(engine: Engine, region: str, when: date) -> dict[str, list[list[Any]]]:
    """The sheets of the region's menukaart, each a header row and data rows."""
    rb = engine.rulebase
    regio = resolve_region(engine, region)
    sets = region_rulesets(rb, regio.id, when)
    members = sorted(
        (g for g in rb.geography.gemeenten if g.regio == regio.id and g.exists_on(when)),
        key=lambda g: g.naam,
    )
    adopters: dict[str, list[str]] = {}
    for rs in sets:
        for adopted in rs.adopts:
            adopters.setdefault(adopted, []).append(_naam(rb, rs.authority[9:]))
    out: dict[str, list[list[Any]]] = {name: [cols] for name, cols in SHEETS.items()}
    for rs in sets:
        raw = _raw(rs)
        out["Regelsets"].append(
            [rs.id, rs.authority, rs.version, rs.title, rs.valid_from.isoformat(),
             rs.valid_to.isoformat() if rs.valid_to else "",
             PROVENANCE_NL.get(rs.provenance, rs.provenance), _text(rs.provenance_note),
             ", ".join(rs.adopts), rs.carried_out_by or "", rs.applies_to or ""]
        )  # fmt: skip
        for key, src in raw["sources"].items():
            out["Bronnen"].append(
                [rs.id, key, src["title"], src.get("url", ""), src.get("version", ""),
                 src.get("bwb", ""), src.get("cvdr", "")]
            )  # fmt: skip
        if rs.authority.startswith("gemeente:"):
            where = [_naam(rb, rs.authority[9:])]
        elif rs.applies_to == "regio":  # region-wide, adopted or not
            where = [g.naam for g in members]
        else:
            where = sorted(adopters.get(rs.id, []))
        for rule, r in zip(rs.rules, raw["rules"], strict=True):
            params = dict(r.get("params") or {})
            duration = params.pop(DURATION, "")
            amounts = "\n".join(
                f"{PERIOD_NL[a['period']]}: {a['eur']} | {a['basis']}" for a in r.get("amounts", [])
            )
            out["Regels"].append(
                [rs.id, r["id"], r["instrument"], rb.catalogue.instruments[r["instrument"]].naam,
                 authority_label(rs.authority, rb), ", ".join(where),
                 condition_in_words(rule.when),
                 r["when"] if isinstance(r["when"], str) else _flow(r["when"]),
                 THEN_NL[r["then"]], duration, _flow(params), amounts, _text(r["explanation"]),
                 r["source"]["ref"], r["source"]["article"], r["source"].get("url", ""),
                 *_cite_cells(r["source"])]
            )  # fmt: skip
        for d in raw.get("derived", []):
            out["Afgeleid"].append(
                [rs.id, d["id"], str(d["value"]),
                 "" if "when" not in d else d["when"] if isinstance(d["when"], str)
                 else _flow(d["when"]),
                 _text(d["explanation"]), d["source"]["ref"], d["source"]["article"],
                 *_cite_cells(d["source"])]
            )  # fmt: skip
    out["Overzicht"] = _overview(rb, sets, members)
    return out


def _overview(rb: RuleBase, sets: list[RuleSet], members: list) -> list[list[Any]]:
    """Instrument × gemeente: what each gemeente's residents get, and from which rule set."""
    by_authority = {rs.authority: rs for rs in sets}
    by_id = {rs.id: rs for rs in sets}
    instruments = [i for i in rb.catalogue.instruments if any(
        r.instrument == i for rs in sets for r in rs.rules)]  # fmt: skip
    rows: list[list[Any]] = [["instrument", *(g.naam for g in members)]]
    for i in instruments:
        row: list[Any] = [rb.catalogue.instruments[i].naam]
        for g in members:
            own = by_authority.get(f"gemeente:{g.code}")
            chain = [own] if own else []
            chain += [by_id[a] for a in (own.adopts if own else ()) if a in by_id]
            chain += [rs for rs in sets if rs.applies_to == "regio" and rs not in chain]
            cell = ""
            for rs in chain:
                rules = [r for r in rs.rules if r.instrument == i]
                if rules:
                    terms = "; ".join(
                        THEN_NL[r.then]
                        + (f" ({r.params[DURATION]} mnd)" if DURATION in r.params else "")
                        for r in rules
                    )
                    cell = f"{rs.id}: {terms}"
                    break
            row.append(cell)
        rows.append(row)
    return rows


def export_menukaart(engine: Engine, region: str, when: date, path: Path, fmt: str) -> None:
    sheets = tables(engine, region, when)
    if fmt == "csv":
        _write_csv(sheets, path)
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    if (first := wb.active) is not None:  # the empty default sheet
        wb.remove(first)
    for name in ("Overzicht", *SHEETS):
        ws = wb.create_sheet(name)
        for row in sheets[name]:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
            for c in col[1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "B2"
    wb.save(path)


def _write_csv(sheets: dict[str, list[list[Any]]], path: Path) -> None:
    if len(sheets["Afgeleid"]) > 1:
        raise PlacementError(
            "format", "deze regio heeft afgeleide feiten: die passen niet in één CSV-tabel, "
            "gebruik --format xlsx"
        )  # fmt: skip
    sources = {(r[0], r[1]): r for r in sheets["Bronnen"][1:]}
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLS)
        for rs_row in sheets["Regelsets"][1:]:
            rules = [r for r in sheets["Regels"][1:] if r[0] == rs_row[0]]
            if not rules:  # a rule set with no rules of its own (it only adopts)
                key = next(k for k in sources if k[0] == rs_row[0])
                blank = [""] * (len(RULE_COLS) - 1)
                blank[RULE_COLS.index("bron") - 1] = key[1]
                w.writerow([*rs_row, *blank, *(sources[key][i] for i in (2, 3, 5, 6))])
            for r in rules:
                src = sources[(r[0], r[RULE_COLS.index("bron")])]
                w.writerow([*rs_row, *r[1:], *(src[i] for i in (2, 3, 5, 6))])


# ------------------------------------------------------------------------------- import


Row = tuple[int, dict[str, Any]]


def read_tables(path: Path) -> dict[str, list[Row]]:
    """Rows by sheet, with their row numbers (the header is row 1)."""
    if not path.exists():
        raise MenukaartError([f"{path}: bestand niet gevonden"])
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise MenukaartError([f"{path}: geen leesbare xlsx-werkmap ({exc})"]) from None
    out: dict[str, list[Row]] = {}
    problems: list[str] = []
    for name, cols in SHEETS.items():
        if name not in wb.sheetnames:
            if name in ("Regelsets", "Regels", "Bronnen"):
                problems.append(f"blad '{name}' ontbreekt")
            out[name] = []
            continue
        rows = list(wb[name].iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else ())]
        problems += [f"{Cell(name, 1, c)}: kolom ontbreekt" for c in cols if c not in header]
        out[name] = [
            (n, {h: v for h, v in zip(header, values, strict=False) if h})
            for n, values in enumerate(rows[1:], start=2)
            if any(v not in (None, "") for v in values)
        ]
    if problems:
        raise MenukaartError(problems)
    return out


def _read_csv(path: Path) -> dict[str, list[Row]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in CSV_COLS if c not in (reader.fieldnames or [])]
        if missing:
            raise MenukaartError([f"{Cell('csv', 1, c)}: kolom ontbreekt" for c in missing])
        rows = [(n, row) for n, row in enumerate(reader, start=2)]
    out: dict[str, list[Row]] = {name: [] for name in SHEETS}
    seen_sets: set[str] = set()
    seen_sources: set[tuple[str, str]] = set()
    for n, row in rows:
        rs_id = (row.get("regelset") or "").strip()
        if rs_id not in seen_sets:
            seen_sets.add(rs_id)
            out["Regelsets"].append((n, {c: row.get(c) for c in RULESET_COLS}))
        key = (rs_id, (row.get("bron") or "").strip())
        if key[1] and key not in seen_sources:
            seen_sources.add(key)
            out["Bronnen"].append(
                (n, {"regelset": rs_id, "bron": key[1], "titel": row.get("brontitel"),
                     "url": row.get("bronadres"), "versie": "", "bwb": row.get("bron-bwb"),
                     "cvdr": row.get("bron-cvdr")})
            )  # fmt: skip
        if (row.get("regel") or "").strip():
            out["Regels"].append((n, {c: row.get(c) for c in RULE_COLS}))
    return out


@dataclass
class _Reader:
    """Cell values checked one by one; every problem names its cell."""

    sheet: str
    problems: list[str] = field(default_factory=list)

    def bad(self, row: int, column: str, message: str) -> None:
        self.problems.append(f"{Cell(self.sheet, row, column)}: {message}")

    def text(self, n: int, row: dict, column: str, required: bool = True) -> str:
        value = row.get(column)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.bad(n, column, "is leeg")
        return text

    def date(self, n: int, row: dict, column: str, required: bool = True) -> date | None:
        value = row.get(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self.text(n, row, column, required)
        if not text:
            return None
        for parse_date in (date.fromisoformat, lambda t: datetime.strptime(t, "%d-%m-%Y").date()):
            try:
                return parse_date(text)
            except ValueError:
                continue
        self.bad(n, column, f"{text!r} is geen datum (JJJJ-MM-DD of DD-MM-JJJJ)")
        return None

    def choice(self, n: int, row: dict, column: str, allowed: dict[str, str]) -> str:
        text = self.text(n, row, column)
        if text and text.lower() not in allowed:
            options = ", ".join(sorted({k for k in allowed if " " in k or k.islower()}))
            self.bad(n, column, f"{text!r} is geen geldige waarde (kies uit: {options})")
            return ""
        return allowed.get(text.lower(), "")

    def flow(self, n: int, row: dict, column: str, kind: type) -> Any:
        text = self.text(n, row, column, required=False)
        if not text:
            return kind()
        try:
            value = load_value(text, column)  # a cell of a spreadsheet from elsewhere: no aliases
        except yaml.YAMLError:
            value = None
        if not isinstance(value, kind):
            what = "mapping als {naam: waarde}" if kind is dict else "lijst"
            self.bad(n, column, f"{text!r} is geen {what}")
            return kind()
        return value

    def expression(self, n: int, row: dict, column: str, condition: bool) -> Any:
        value = row.get(column)
        if isinstance(value, bool):
            value = str(value).lower()
        text = "" if value is None else str(value).strip()
        if not text:
            self.bad(n, column, "is leeg")
            return None
        data: Any = text
        if condition and text.startswith("{"):
            try:
                data = load_value(text, column)
            except yaml.YAMLError:
                data = text
        try:
            (from_structure(data) if condition else parse(data))
        except ExpressionError as exc:
            self.bad(n, column, f"geen geldige expressie: {exc}")
            return None
        return data


def _rulesets_from_rows(rb: RuleBase, sheets: dict[str, list[Row]]) -> tuple[dict, dict]:
    """The rule sets the rows describe (as YAML data) and where each rule came from."""
    rows = _Rows(rb)
    rows.rulesets(sheets["Regelsets"])
    rows.sources(sheets["Bronnen"])
    rows.rules(sheets["Regels"])
    rows.derived(sheets.get("Afgeleid", []))
    return rows.result()


@dataclass
class _Rows:
    """The sheets read in order (rule sets first: the other sheets name them), every problem
    collected before any is reported."""

    rb: RuleBase
    problems: list[str] = field(default_factory=list)
    sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    places: dict[tuple[str, str | None], Cell] = field(default_factory=dict)

    def rulesets(self, rows: list[Row]) -> None:
        r = _Reader("Regelsets", self.problems)
        for n, row in rows:
            rs_id = r.text(n, row, "regelset")
            authority = r.text(n, row, "instantie")
            self._check_authority(r, n, authority)
            if rs_id and not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rs_id):
                # the id names the new file: no slashes, nothing outside the rules folder
                r.bad(n, "regelset", f"{rs_id!r}: alleen kleine letters, cijfers, '-', '_' en '.'")
                continue
            if rs_id in self.sets:
                r.bad(n, "regelset", f"regelset {rs_id!r} staat twee keer in het blad")
                continue
            self.sets[rs_id] = _ruleset_data(r, n, row, rs_id, authority)
            self.places[(rs_id, None)] = Cell("Regelsets", n, "regelset")

    def _check_authority(self, r: _Reader, n: int, authority: str) -> None:
        geography = self.rb.geography
        if authority and not authority.startswith(("regio:", "gemeente:")):
            r.bad(n, "instantie", f"{authority!r}: een menukaart bevat alleen regio:<id> of "
                  "gemeente:<CBS-code>")  # fmt: skip
        elif authority.startswith("regio:") and not geography.regio(authority[6:]):
            r.bad(n, "instantie", f"onbekende arbeidsmarktregio {authority[6:]!r}")
        elif authority.startswith("gemeente:") and not geography.by_code(authority[9:]):
            r.bad(n, "instantie", f"onbekende gemeente {authority[9:]!r}")

    def _owner(self, reader: _Reader, n: int, row: dict) -> dict | None:
        rs_id = reader.text(n, row, "regelset")
        if rs_id and rs_id not in self.sets:
            reader.bad(n, "regelset", f"regelset {rs_id!r} staat niet in het blad 'Regelsets'")
        return self.sets.get(rs_id)

    def sources(self, rows: list[Row]) -> None:
        r = _Reader("Bronnen", self.problems)
        for n, row in rows:
            target = self._owner(r, n, row)
            key, title = r.text(n, row, "bron"), r.text(n, row, "titel")
            url = r.text(n, row, "url", required=False)
            if url and not re.match(r"https?://", url):
                r.bad(n, "url", f"{url!r} is geen webadres (http:// of https://)")
            # a source is found by its address, or by its BWB or CVDR id (as in a rule file)
            if not url and not any(row.get(c) not in (None, "") for c in ("bwb", "cvdr")):
                r.bad(n, "url", "is leeg: geef een webadres, of een bwb- of cvdr-nummer")
            if target is not None and key:
                source = {"title": title}
                for col in ("url", "bwb", "cvdr"):
                    value = r.text(n, row, col, required=False) if col in row else ""
                    if value:
                        source[col] = value
                version = r.text(n, row, "versie", required=False)
                if version:
                    source["version"] = version
                target["sources"][key] = source

    def rules(self, rows: list[Row]) -> None:
        r = _Reader("Regels", self.problems)
        for n, row in rows:
            target = self._owner(r, n, row)
            rule_id = r.text(n, row, "regel")
            instrument = r.text(n, row, "instrument")
            if instrument and instrument not in self.rb.catalogue.instruments:
                r.bad(n, "instrument", f"onbekend instrument {instrument!r}")
            rule: dict[str, Any] = {"id": rule_id, "instrument": instrument,
                                    "when": r.expression(n, row, "voorwaarde", condition=True),
                                    "then": r.choice(n, row, "uitkomst", THEN)}  # fmt: skip
            params = _rule_params(r, n, row)
            if params:
                rule["params"] = params
            amounts = _rule_amounts(r, n, row)
            if amounts:
                rule["amounts"] = amounts
            rule["explanation"] = r.text(n, row, "toelichting")
            if target is not None:
                rule["source"] = _cite(r, n, row, target)
                if any(x["id"] == rule_id for x in target["rules"]):
                    r.bad(n, "regel", f"regel {rule_id!r} staat twee keer bij {target['id']}")
                target["rules"].append(rule)
                self.places[(target["id"], rule_id)] = Cell("Regels", n, "regel")

    def derived(self, rows: list[Row]) -> None:
        r = _Reader("Afgeleid", self.problems)
        for n, row in rows:
            target = self._owner(r, n, row)
            fact: dict[str, Any] = {
                "id": r.text(n, row, "feit"),
                "value": r.expression(n, row, "waarde", condition=False),
            }
            if r.text(n, row, "voorwaarde", required=False):
                fact["when"] = r.expression(n, row, "voorwaarde", condition=True)
            fact["explanation"] = r.text(n, row, "toelichting")
            if target is not None:
                fact["source"] = _cite(r, n, row, target)
                target.setdefault("derived", []).append(fact)
                self.places[(target["id"], fact["id"])] = Cell("Afgeleid", n, "feit")

    def result(self) -> tuple[dict, dict]:
        problems = self.problems
        for rs_id, data in self.sets.items():
            if not data["sources"]:
                problems.append(f"{self.places[(rs_id, None)]}: regelset {rs_id} heeft geen bron "
                                "in het blad 'Bronnen'")  # fmt: skip
        if not self.sets and not problems:
            problems.append("blad 'Regelsets': geen enkele regelset")
        if problems:
            raise MenukaartError(problems)
        return self.sets, self.places


def _ruleset_data(r: _Reader, n: int, row: dict, rs_id: str, authority: str) -> dict[str, Any]:
    """A rule set's own fields from its row in 'Regelsets' (its sources and rules come later)."""
    data: dict[str, Any] = {
        "id": rs_id,
        "authority": authority,
        "version": r.text(n, row, "versie"),
        "title": r.text(n, row, "titel"),
        "valid_from": r.date(n, row, "geldig vanaf"),
    }
    until = r.date(n, row, "geldig tot", required=False)
    if until:
        data["valid_to"] = until
    data["provenance"] = r.choice(n, row, "herkomst", PROVENANCE)
    note = r.text(n, row, "toelichting herkomst", required=False)
    if note:
        data["provenance_note"] = note
    data["sources"] = {}
    adopts = [a.strip() for a in r.text(n, row, "volgt regelsets", False).split(",") if a.strip()]
    if adopts:
        data["adopts"] = adopts
    carried = r.text(n, row, "uitgevoerd door", required=False)
    if carried:
        data["carried_out_by"] = carried
    applies = r.text(n, row, "geldt in", required=False) if "geldt in" in row else ""
    if applies:
        data["applies_to"] = applies
    data["rules"] = []
    return data


def _rule_params(r: _Reader, n: int, row: dict) -> dict[str, Any]:
    """The column 'parameters' (flow YAML) with 'duur (maanden)' as the duration parameter."""
    params = r.flow(n, row, "parameters", dict)
    duration = row.get("duur (maanden)")
    if duration not in (None, ""):
        try:
            number = float(str(duration).replace(",", "."))
            params = {DURATION: int(number) if number.is_integer() else number, **params}
        except ValueError:
            r.bad(n, "duur (maanden)", f"{duration!r} is geen getal")
    return params


def _rule_amounts(r: _Reader, n: int, row: dict) -> list[dict[str, str]]:
    """The column 'bedragen': one 'maand|jaar: formule | grondslag' per line."""
    amounts = []
    for line in r.text(n, row, "bedragen", required=False).splitlines():
        period, _, rest = line.partition(":")
        eur, _, basis = rest.partition("|")
        if period.strip().lower() not in PERIOD or not eur.strip() or not basis.strip():
            r.bad(n, "bedragen", f"{line.strip()!r}: schrijf 'maand: formule | grondslag' of "
                  "'jaar: formule | grondslag', één bedrag per regel")  # fmt: skip
            continue
        try:
            parse(eur.strip())
        except ExpressionError as exc:
            r.bad(n, "bedragen", f"{eur.strip()!r} is geen geldige formule: {exc}")
            continue
        amounts.append({"period": PERIOD[period.strip().lower()], "eur": eur.strip(),
                        "basis": basis.strip()})  # fmt: skip
    return amounts


def _cite(reader: _Reader, n: int, row: dict, target: dict) -> dict:
    ref = reader.text(n, row, "bron")
    if ref and ref not in target["sources"]:
        reader.bad(n, "bron", f"bron {ref!r} staat niet bij regelset {target['id']} in het "
                   "blad 'Bronnen'")  # fmt: skip
    source = {"ref": ref, "article": reader.text(n, row, "artikel")}
    url = reader.text(n, row, "bron-url", required=False) if "bron-url" in row else ""
    if url:
        source["url"] = url
    for col, key in CITE_COLS.items():
        if col == "tekstdatum":  # a spreadsheet may hold it as a date, or as 1-1-2025
            day = reader.date(n, row, col, required=False) if col in row else None
            value = day.isoformat() if day else ""
        else:
            value = reader.text(n, row, col, required=False) if col in row else ""
        if value:
            source[key] = value
    return source


def _cite_cells(source: dict) -> list[str]:
    return [str(source.get(key, "")) for key in CITE_COLS.values()]


# --------------------------------------------------------------------- versions and files


def _same(raw: dict[str, Any], data: dict[str, Any]) -> bool:
    """The same rules, sources and metadata, whatever the version and validity."""

    def norm(d: dict[str, Any]) -> str:
        keep = {k: v for k, v in d.items() if k not in ("version", "valid_from", "valid_to")}
        return json.dumps(_normalise(keep), sort_keys=True, default=str)

    return norm(raw) == norm(data)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dump(data: dict[str, Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, date) else value

    body = yaml.safe_dump(plain(data), sort_keys=False, allow_unicode=True, width=100)
    return (
        "# yaml-language-server: $schema=../../engine/rulesets/ruleset.schema.json\n"
        "# Ingelezen uit een menukaart (arrangeur menukaart import).\n" + body
    )


def _close(text: str, until: date) -> str:
    """The file of the version before, ending the day before the new one starts."""
    line = f"valid_to: {until.isoformat()}"
    if re.search(r"^valid_to:.*$", text, flags=re.M):
        return re.sub(r"^valid_to:.*$", line, text, count=1, flags=re.M)
    return re.sub(r"^(valid_from:.*)$", lambda m: f"{m.group(1)}\n{line}", text, count=1,
                  flags=re.M)  # fmt: skip


@dataclass
class _Plan:
    writes: dict[str, str] = field(default_factory=dict)  # path relative to the rules root
    lines: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # rule set id -> its new file


def _plan(rb: RuleBase, sets: dict[str, dict], valid_from: date | None) -> _Plan:
    plan = _Plan()
    for rs_id, data in sets.items():
        start = valid_from or data["valid_from"]
        versions = rb.versions(rs_id)
        current = next((v for v in versions if v.in_force(start)), None)
        later = [v for v in versions if v.valid_from > start]
        if current is not None and _same(_raw(current), data):
            plan.lines.append(f"{rs_id}: ongewijzigd (versie {current.version})")
            continue
        folder = "regio" if data["authority"].startswith("regio:") else "gemeenten"
        data = {**data, "valid_from": start}
        if later:
            data["valid_to"] = later[0].valid_from - timedelta(days=1)
        if current is not None and current.valid_from == start:
            rel = str(Path(current.file).resolve().relative_to(rb.root))
            what, closing = f"versie {current.version} vervangen (zelfde geldigheid)", ""
            data["version"] = current.version
        else:
            used = {v.version for v in versions}
            if data["version"] in used:
                n = 1
                while f"{start.year}.{n}" in used:
                    n += 1
                data["version"] = f"{start.year}.{n}"
            stem = rs_id.removeprefix("regio-")
            rel = f"{folder}/{stem}-{start.year}.yaml"
            if (rb.root / rel).exists() or rel in plan.writes:
                rel = f"{folder}/{stem}-{start.isoformat()}.yaml"
            what, closing = f"nieuwe versie {data['version']}", ""
            if current is not None:
                until = start - timedelta(days=1)
                old_rel = str(Path(current.file).resolve().relative_to(rb.root))
                text = Path(current.file).read_text(encoding="utf-8")
                plan.writes[old_rel] = _close(text, until)
                closing = f"; versie {current.version} loopt nu t/m {until.strftime('%d-%m-%Y')}"
        plan.writes[rel] = _dump(data)
        plan.files[rs_id] = rel
        since = start.strftime("%d-%m-%Y")
        plan.lines.append(f"{rs_id}: {what}, geldig vanaf {since} ({rel}){closing}")
    return plan


def _problem_cell(p: Problem, places: dict[tuple[str, str | None], Cell]) -> str:
    rs_id, _, item = (p.rule or "").partition("/")
    cell = places.get((rs_id, item or None)) or places.get((rs_id, None))
    if cell is None:
        return f"{p.file}: {p.message}"
    column = cell.column
    message = p.message.lower()
    if cell.sheet == "Regels":
        for word, col in (("instrument", "instrument"), ("bron", "bron"),
                          ("parameter", "voorwaarde"), ("feit", "voorwaarde"),
                          ("uitdrukking", "voorwaarde"), ("voorwaarde", "voorwaarde")):  # fmt: skip
            if word in message:
                column = col
                break
    elif cell.sheet == "Regelsets":
        for word, col in (("adopt", "volgt regelsets"), ("authority", "instantie"),
                          ("valid", "geldig vanaf"), ("geldigheid", "geldig vanaf"),
                          ("versie", "versie")):  # fmt: skip
            if word in message:
                column = col
                break
    where = Cell(cell.sheet, cell.row, column)
    return f"{where}: afgekeurd bij de controle van de regels: {p.message}"


def import_menukaart(
    engine: Engine, path: Path, valid_from: date | None = None, target: Path | None = None
) -> str:
    """Read a menukaart, validate it within the whole rule base, write the rule sets that changed
    (into `target`, default the rule base itself) and say in Dutch what changed."""
    rb = engine.rulebase
    sets, places = _rulesets_from_rows(rb, read_tables(path))
    plan = _plan(rb, sets, valid_from)
    if not plan.writes:
        return (
            "\n".join([*plan.lines, "Geen wijzigingen: de regels blijven zoals ze waren."]) + "\n"
        )
    with tempfile.TemporaryDirectory(prefix="arrangeur-menukaart-") as tmp:
        staging = Path(tmp) / "rules"
        shutil.copytree(rb.root, staging)
        for rel, text in plan.writes.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_text(text, encoding="utf-8")
        try:
            checked = load_rulebase(staging)
        except RulesError as exc:
            raise MenukaartError([_problem_cell(p, places) for p in exc.problems]) from None
        changes = []
        for rs_id, rel in plan.files.items():
            problems: list[Problem] = []
            new = load_ruleset(staging / rel, problems)
            start = new.valid_from if new else None
            old = next((v for v in rb.versions(rs_id) if start and v.in_force(start)), None)
            before = [v for v in rb.versions(rs_id) if v.valid_from < (start or date.max)]
            old = old or (before[-1] if before else None)
            changes += _change_lines(rs_id, [old] if old else [], [new] if new else [])
        del checked
    out_root = target or rb.root
    for rel, text in plan.writes.items():
        (out_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (out_root / rel).write_text(text, encoding="utf-8")
    return (
        "\n".join(
            [
                *plan.lines,
                "Wijzigingen in de regels:",
                *(changes or ["  geen"]),
                f"{len(plan.writes)} bestand(en) geschreven in {out_root}; de regels zijn "
                "gevalideerd.",
            ]
        )  # fmt: skip
        + "\n"
    )


def _change_lines(rs_id: str, before: Iterable[RuleSet], after: Iterable[RuleSet]) -> list[str]:
    out = []
    for c in rule_changes(list(before), list(after), rs_id):
        if c.change == "toegevoegd":
            out.append(f"  + {rs_id}/{c.rule}: {c.after}")
        elif c.change == "verwijderd":
            out.append(f"  - {rs_id}/{c.rule}: {c.before}")
        else:
            out.append(f"  ~ {rs_id}/{c.rule}: {', '.join(c.fields)} gewijzigd ({c.after})")
    return out
