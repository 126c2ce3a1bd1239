"""The dated gemeente registry: mergers resolve on past peildatums and name the successor after."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.errors import PlacementError, RulesError
from engine.rulesets.registry import load_rulebase
from tests.conftest import MINI


@pytest.fixture(scope="module")
def geo(engine):
    return engine.rulebase.geography


def _check(engine, woon: str, peildatum: str, vest: str = "Dordrecht"):
    return engine.check(
        {
            "peildatum": peildatum,
            "candidate": {
                "woongemeente": woon,
                "geboortedatum": "1990-05-01",
                "uitkering": "bijstand",
                "loonwaarde_pct": 50,
            },
            "employer": {"vestigingsgemeente": vest},
            "job": {"startdatum": peildatum, "uren_per_week": 32},
        }
    )


def test_342_gemeenten_on_1_january_2025_and_the_2019_mergers_the_day_before(geo):
    # CBS: 342 gemeenten in 2023-2025; the mergers encoded here close on 2018-12-31 / 2022-12-31.
    assert sum(g.exists_on(date(2025, 1, 1)) for g in geo.gemeenten) == 342
    on_eve = {g.naam for g in geo.gemeenten if g.exists_on(date(2018, 12, 31))}
    assert {"Molenwaard", "Giessenlanden", "Binnenmaas", "Vianen", "Noordwijkerhout"} <= on_eve
    assert not {"Molenlanden", "Hoeksche Waard", "Vijfheerenlanden"} & on_eve
    assert "Noordwijk" in on_eve  # the absorbing gemeente keeps its code


@pytest.mark.parametrize(
    "old, code, regio, successor",
    [
        ("Molenwaard", "GM1927", "gorinchem", "GM1978"),
        ("Giessenlanden", "GM0689", "gorinchem", "GM1978"),
        ("Strijen", "GM0617", "rijnmond", "GM1963"),
        ("Vianen", "GM0620", "midden-utrecht", "GM1961"),  # moved region with the merger
        ("Noordwijkerhout", "GM0576", "holland-rijnland", "GM0575"),
        ("Hellevoetsluis", "GM0530", "rijnmond", "GM1992"),
    ],
)
def test_former_gemeente_resolves_before_and_names_successor_after(
    geo, old, code, regio, successor
):
    g = geo.resolve(old, date(2018, 12, 31), "candidate.woongemeente")
    assert (g.code, g.regio, g.successor) == (code, regio, successor)
    heir = geo.by_code(successor)
    with pytest.raises(PlacementError) as err:
        geo.resolve(old, g.valid_to + timedelta(days=1), "candidate.woongemeente")
    assert err.value.field == "candidate.woongemeente"
    assert f"opgegaan in {heir.naam} ({heir.code})" in str(err.value)
    assert geo.resolve(heir.naam, g.valid_to + timedelta(days=1), "x").code == successor


def test_new_gemeente_before_it_existed_names_its_predecessors(geo):
    with pytest.raises(PlacementError) as err:
        geo.resolve("Molenlanden", date(2018, 6, 1), "candidate.woongemeente")
    message = str(err.value)
    assert "bestond op 01-06-2018 nog niet" in message
    assert "Giessenlanden (GM0689), Molenwaard (GM1927)" in message


def test_check_on_a_past_peildatum_uses_the_old_gemeente_and_its_region(engine):
    a = _check(engine, "Molenwaard", "2018-06-01")
    assert (a.woongemeente.code, a.woongemeente.regio) == ("GM1927", "gorinchem")
    lks = next(e for e in a.instruments if e.instrument == "loonkostensubsidie")
    assert (lks.status, lks.authority) == ("eligible", "gemeente:GM1927")
    assert ("cross_region", None) in {(c.type, c.instrument) for c in a.conflicts}
    # By CBS code too, and the successor on a current peildatum.
    assert _check(engine, "GM1927", "2018-06-01").woongemeente.naam == "Molenwaard"
    assert _check(engine, "Molenlanden", "2025-06-01").woongemeente.code == "GM1978"


def test_check_on_a_current_peildatum_with_a_merged_gemeente_is_a_clear_error(engine):
    with pytest.raises(PlacementError) as err:
        _check(engine, "Korendijk", "2025-06-01")
    assert "opgegaan in Hoeksche Waard (GM1963)" in str(err.value)


@pytest.mark.parametrize(
    "peildatum, count",
    [
        # CBS counts as reported at each change: 390 (2016), 388 (2017), 380 (2018), 355 (2019,
        # 2020), 352 (2021), 345 (2022; 344 from 24 March, Weesp into Amsterdam), 342 (2023-2025).
        (date(2016, 1, 1), 390),
        (date(2017, 1, 1), 388),
        (date(2018, 1, 1), 380),
        (date(2019, 1, 1), 355),
        (date(2020, 1, 1), 355),
        (date(2021, 1, 1), 352),
        (date(2022, 1, 1), 345),
        (date(2022, 3, 24), 344),
        (date(2023, 1, 1), 342),
    ],
)
def test_number_of_gemeenten_on_a_date_equals_the_cbs_count(geo, peildatum, count):
    assert sum(g.exists_on(peildatum) for g in geo.gemeenten) == count


@pytest.mark.parametrize(
    "old, peildatum, code, regio, heir",
    [
        ("Bussum", "2015-06-01", "GM0381", "gooi-en-vechtstreek", "GM1942"),
        ("Veghel", "2016-06-01", "GM0860", "noordoost-brabant", "GM1948"),
        ("Slochteren", "2017-06-01", "GM0040", "groningen", "GM1952"),
        ("Lingewaal", "2018-06-01", "GM0733", "gorinchem", "GM1960"),  # successor is Rivierenland
        ("Haarlemmerliede", "2018-06-01", "GM0393", "zuid-kennemerland-en-ijmond", "GM0394"),
        ("Delfzijl", "2020-06-01", "GM0010", "groningen", "GM1979"),
        ("Uden", "2021-06-01", "GM0856", "noordoost-brabant", "GM1991"),
        ("Weesp", "2022-03-23", "GM0457", "gooi-en-vechtstreek", "GM0363"),
    ],
)
def test_check_with_a_former_gemeente_on_a_past_peildatum_uses_its_region(
    engine, geo, old, peildatum, code, regio, heir
):
    a = _check(engine, old, peildatum)
    assert (a.woongemeente.code, a.woongemeente.regio) == (code, regio)
    lks = next(e for e in a.instruments if e.instrument == "loonkostensubsidie")
    assert lks.authority == f"gemeente:{code}"
    day_after = geo.by_code(code).valid_to + timedelta(days=1)
    with pytest.raises(PlacementError) as err:
        _check(engine, old, day_after.isoformat())
    assert f"({heir})" in str(err.value)


def test_weesp_merged_on_24_march_2022_not_on_1_january(geo):
    assert geo.resolve("Weesp", date(2022, 3, 23), "f").code == "GM0457"
    with pytest.raises(PlacementError) as err:
        geo.resolve("Weesp", date(2022, 3, 24), "f")
    assert "bestaat sinds 24-03-2022 niet meer: opgegaan in Amsterdam (GM0363)" in str(err.value)


def test_a_divided_gemeente_names_every_gemeente_it_was_divided_over(geo):
    assert geo.resolve("Haaren", date(2020, 12, 31), "f").regio == "noordoost-brabant"
    with pytest.raises(PlacementError) as err:
        geo.resolve("Haaren", date(2021, 1, 1), "candidate.woongemeente")
    assert err.value.field == "candidate.woongemeente"
    assert (
        "verdeeld over Boxtel (GM0757), Oisterwijk (GM0824), Tilburg (GM0855) en Vught (GM0865)"
        in str(err.value)
    )
    with pytest.raises(PlacementError) as err:
        geo.resolve("Het Hogeland", date(2018, 12, 31), "f")
    assert "Winsum (GM0053)" in str(err.value)  # a predecessor by division


# ------------------------------------------------------------------ validation of geografie.yaml


@pytest.fixture()
def geofile(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(MINI, target)
    return target / "geografie.yaml"


def _problems(geofile: Path, extra: str) -> list[str]:
    geofile.write_text(geofile.read_text() + extra)
    with pytest.raises(RulesError) as err:
        load_rulebase(geofile.parent)
    return [str(p) for p in err.value.problems]


def test_mini_fixture_with_a_valid_merger_loads(geofile):
    geofile.write_text(
        geofile.read_text()
        + "  - {code: GM0005, naam: Nieuwgem, regio: zuid, valid_from: 2020-01-01}\n"
        + "  - {code: GM0006, naam: Oudje, regio: zuid, valid_to: 2019-12-31, successor: GM0005}\n"
    )
    geo = load_rulebase(geofile.parent).geography
    assert geo.resolve("Oudje", date(2019, 5, 1), "f").successor == "GM0005"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("  - {code: GM0006, naam: Oudje, regio: zuid, successor: GM0003}\n", "without valid_to"),
        (
            "  - {code: GM0006, naam: Oudje, regio: zuid, valid_to: 2019-12-31,"
            " successor: GM0999}\n",
            "unknown successor 'GM0999'",
        ),
        (  # Oudgem ends 2019-12-31, so it cannot take over a gemeente on 2021-01-01
            "  - {code: GM0006, naam: Oudje, regio: zuid, valid_to: 2020-12-31,"
            " successor: GM0004}\n",
            "does not exist on 2021-01-01",
        ),
        (
            "  - {code: GM0006, naam: Oudje, regio: zuid, valid_from: 2020-01-01,"
            " valid_to: 2019-01-01}\n",
            "is after valid_to",
        ),
        (
            "  - {code: GM0006, naam: Oudje, regio: zuid, valid_to: 2019-12-31,"
            " split_over: [GM0003, GM0998]}\n",
            "unknown successor 'GM0998'",
        ),
        (
            "  - {code: GM0006, naam: Oudje, regio: zuid, valid_to: 2019-12-31,"
            " successor: GM0003, split_over: [GM0003]}\n",
            "successor and split_over both given",
        ),
        ("  - {code: GM0003, naam: Ceedam bis, regio: zuid}\n", "code GM0003 listed twice"),
        ("  - {code: GM0006, naam: Aadorp, regio: zuid}\n", "name 'aadorp' also used by GM0001"),
    ],
)
def test_broken_merger_data_is_reported_with_file_line_and_code(geofile, extra, message):
    (problem,) = _problems(geofile, extra)
    line = len(geofile.read_text().splitlines())
    assert problem.startswith(f"{geofile}:{line} [GM000")
    assert message in problem


def test_a_name_reused_after_a_merger_is_allowed(geofile):
    # Oudgem (GM0004) ended on 2019-12-31: a new gemeente may carry the name afterwards.
    geofile.write_text(
        geofile.read_text()
        + "  - {code: GM0007, naam: Oudgem, regio: zuid, valid_from: 2020-01-01}\n"
    )
    geo = load_rulebase(geofile.parent).geography
    assert geo.resolve("Oudgem", date(2019, 1, 1), "f").code == "GM0004"
    assert geo.resolve("Oudgem", date(2021, 1, 1), "f").code == "GM0007"
