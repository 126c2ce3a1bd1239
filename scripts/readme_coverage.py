"""Write the README's coverage line from `arrangeur coverage` (its first line), for the date the
line names, or for `--date YYYY-MM-DD`. tests/test_regions.py checks that the two agree."""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from engine.analysis.coverage import coverage, totals_line
from engine.rulesets.registry import load_rulebase

README = Path(__file__).resolve().parents[1] / "README.md"
LINE = re.compile(r"^(\s*)Dekking op (\d{2})-(\d{2})-(\d{4}):.*$", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--date", type=date.fromisoformat, help="peildatum (default: as in README)")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    found = LINE.search(text)
    if found is None:
        raise SystemExit("README.md: geen regel 'Dekking op ...' gevonden")
    indent, day, month, year = found.groups()
    when = args.date or date(int(year), int(month), int(day))
    line = indent + totals_line(coverage(load_rulebase(), when))
    README.write_text(text[: found.start()] + line + text[found.end() :], encoding="utf-8")
    print(line.strip())


if __name__ == "__main__":
    main()
