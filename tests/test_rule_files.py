"""Rule files that would crash, stall or be skipped are clean problems naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from engine.rulesets.registry import load_rulebase
from engine.yamlio import MAX_BYTES, MAX_DEPTH
from tests.conftest import problems


def line_of(file: Path, text: str) -> int:
    lines = file.read_bytes().decode("latin-1").splitlines()
    return next(i for i, t in enumerate(lines, 1) if text in t)


def test_a_byte_that_is_not_utf8_names_file_and_line(rules):
    file = rules / "uwv" / "uwv.yaml"
    file.write_bytes(file.read_bytes().replace(b"title: UWV test", b"title: UWV t\xe9st"))
    (msg,) = problems(rules)
    assert msg == f"{file}:{line_of(file, 'title:')}: geen UTF-8: byte 0xe9 in kolom 13"


def test_alias_bomb_is_refused_at_its_first_anchor(rules):
    """'Billion laughs': 2.5 KB that would expand to gigabytes."""
    bomb = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 30)]
    file = rules / "gemeenten" / "bom.yaml"
    file.write_text("\n".join(bomb) + "\n")
    (msg,) = problems(rules)
    assert msg == f"{file}:1: YAML-ankers (&a0) zijn niet toegestaan"


def test_an_alias_without_anchor_is_refused_too(rules):
    file = rules / "uwv" / "uwv.yaml"
    file.write_text(file.read_text().replace("title: UWV test", "title: *t"))
    (msg,) = problems(rules)
    assert msg == f"{file}:{line_of(file, 'title:')}: YAML-aliassen (*t) zijn niet toegestaan"


def test_a_duplicate_key_names_both_lines(rules):
    file = rules / "uwv" / "uwv.yaml"
    first = line_of(file, "valid_from:")
    file.write_text(
        file.read_text().replace(
            "valid_from: 2020-01-01", "valid_from: 2020-01-01\nvalid_from: 2030-01-01"
        )
    )
    (msg,) = problems(rules)
    assert (
        msg
        == f"{file}:{first + 1}: sleutel 'valid_from' staat er twee keer (eerst op regel {first})"
    )


@pytest.mark.parametrize("written", ["2023-02-30", "'2023-02-30'"])
def test_an_impossible_date_names_the_line(rules, written):
    file = rules / "uwv" / "uwv.yaml"
    file.write_text(file.read_text().replace("valid_from: 2020-01-01", f"valid_from: {written}"))
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{line_of(file, 'valid_from')}")
    assert "geen geldige datum" in msg and "2023-02-30" in msg


def test_deep_nesting_is_refused(rules):
    file = rules / "uwv" / "uwv.yaml"
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    file.write_text(file.read_text().replace("title: UWV test", f"title: {deep}"))
    (msg,) = problems(rules)
    assert msg.startswith(
        f"{file}:{line_of(file, 'title:')}: meer dan {MAX_DEPTH} niveaus diep genest"
    )


def test_an_oversized_file_is_refused_before_parsing(rules):
    file = rules / "uwv" / "uwv.yaml"
    file.write_text(file.read_text() + "#" * MAX_BYTES)
    (msg,) = problems(rules)
    assert msg == f"{file}: bestand is groter dan {MAX_BYTES // 1024} KB"


def test_a_nul_character_and_a_huge_integer_name_the_line(rules):
    file = rules / "uwv" / "uwv.yaml"
    file.write_text(file.read_text().replace("title: UWV test", "title: UWV\x00test"))
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{line_of(file, 'title:')}: YAML: teken")
    file.write_text(file.read_text().replace("title: UWV\x00test", "title: " + "9" * 5000))
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:{line_of(file, 'title:')}: waarde")


def test_a_broken_parameter_file_names_file_and_line(rules):
    file = rules / "rijk" / "parameters" / "test.yaml"
    text = file.read_text()
    file.write_text("- a list\n- not parameters\n")
    assert problems(rules) == [
        f"{file}:1: een parameterbestand is een mapping van namen naar parameters"
    ]
    file.write_text(text + "dubbel: 1\ndubbel: 2\n")
    (msg,) = problems(rules)
    assert msg.startswith(f"{file}:") and "sleutel 'dubbel' staat er twee keer" in msg


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("gemeenten/extra.yml", "hernoem naar extra.yaml"),
        ("gemeenten/extra.YAML", "hernoem naar extra.yaml"),
        ("gemeenten/notes.txt", "geen regelbestand"),
        ("losse-regels.yaml", "onbekend bestand"),
        ("archief/oud.yaml", None),  # the folder is named, once
        ("gemeenten/oud/delft.yaml", None),
    ],
)
def test_every_file_under_rules_is_loaded_or_an_error(rules, name, words, capsys):
    path = rules / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("this: [is broken\n")
    (msg,) = problems(rules)
    if words:
        assert msg.startswith(f"{path}: ") and words in msg
    else:
        assert msg.startswith(f"{path.parent}/: onbekende map")
    assert main(["--rules", str(rules), "validate"]) == 1
    assert str(path.parent if words is None else path) in capsys.readouterr().err


def test_markdown_notes_are_the_documented_exception(rules):
    (rules / "README.md").write_text("# Rules\n")
    (rules / "gemeenten" / "README.md").write_text("# Gemeenten\n")
    assert len(load_rulebase(rules).rulesets) == 5


def test_validate_names_gemeenten_that_lost_their_rule_set(rules, capsys):
    """Beestad's file deleted: its candidates silently lose the regional instruments otherwise."""
    assert main(["--rules", str(rules), "validate"]) == 0
    assert "Let op" not in capsys.readouterr().out
    (rules / "gemeenten" / "beestad.yaml").unlink()
    assert main(["--rules", str(rules), "validate"]) == 0
    out = capsys.readouterr().out
    assert "Let op: regio Noord: geen gemeentelijke regelset" in out and "Beestad" in out
