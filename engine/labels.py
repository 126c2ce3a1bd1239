"""Dutch labels for the names rules use: derived facts, rule parameters and enum values.

One table for every face (pages, CLI text, PDF): input facts carry their label in the model
(engine.facts.INPUT_FACTS); the names defined in rule files (derived facts, `params` keys) and
the enum values (`wia_wga`) are labelled here. A name missing from these tables is shown with
its underscores as spaces, never as an identifier.
"""

from __future__ import annotations

from engine.facts import INPUT_FACTS

DERIVED_FACTS: dict[str, str] = {
    "aow_bereikt": "AOW-leeftijd bereikt",
    "aow_datum": "datum waarop de AOW-leeftijd wordt bereikt",
    "aow_datum_peiljaar": "datum AOW-leeftijd (peiljaar)",
    "aow_leeftijd_toelichting": "toelichting op de AOW-leeftijd",
    "aow_leeftijd_vastgesteld": "AOW-leeftijd vastgesteld",
    "doelgroepverklaring_tijdig": "doelgroepverklaring op tijd aangevraagd",
    "herplaatsing_einddatum": "einddatum herplaatsing",
    "herplaatsing_termijn_verstreken": "termijn voor herplaatsing verstreken",
    "herplaatsing_uren_peiljaar": "verloonde uren herplaatsing in het peiljaar",
    "leeftijd_op_peildatum": "leeftijd op de peildatum",
    "leeftijd_op_startdatum": "leeftijd op de startdatum",
    "lks_aangevraagd_binnen_zes_maanden_na_start": (
        "loonkostensubsidie aangevraagd binnen zes maanden na de start"
    ),
    "lks_aangevraagd_voor_indiensttreding": "loonkostensubsidie aangevraagd vóór indiensttreding",
    "lks_bedrag_per_maand": "loonkostensubsidie per maand",
    "lks_doelgroep": "behoort tot de doelgroep loonkostensubsidie",
    "lks_eerste_zes_maanden": "in de eerste zes maanden van de loonkostensubsidie",
    "lks_start_vanaf_1_juli_peiljaar": "loonkostensubsidie start op of na 1 juli van het peiljaar",
    "lks_uren": "uren voor de loonkostensubsidie",
    "lks_zonder_loonwaarde_bedrag_per_maand": (
        "loonkostensubsidie zonder vastgestelde loonwaarde per maand"
    ),
    "lkv_einddatum": "einddatum loonkostenvoordeel",
    "lkv_termijn_verstreken": "termijn van het loonkostenvoordeel verstreken",
    "lkv_uren_peiljaar": "verloonde uren loonkostenvoordeel in het peiljaar",
    "minimumloon_lks": "minimumloon voor de loonkostensubsidie",
    "minimumloon_met_vakantiebijslag_per_maand": "minimumloon met vakantiebijslag per maand",
    "normale_arbeidsduur_wml": "normale arbeidsduur voor het minimumloon",
    "nrp_vijf_jaar_lopend": "no-riskpolis loopt binnen vijf jaar",
    "regie": "begeleiding door",
    "uitkering_maanden_voor_start": "maanden met uitkering vóór de start",
    "uurloon": "uurloon",
    "verloonde_uren_peiljaar": "verloonde uren in het peiljaar",
}

PARAMETERS: dict[str, str] = {
    "aanvragen_binnen_dagen_na_start": "aanvragen binnen (dagen na de start)",
    "aanvragen_uiterlijk": "aanvragen uiterlijk",
    "aanvragen_voor": "aanvragen vóór",
    "aow_leeftijd": "AOW-leeftijd",
    "aow_leeftijd_op": "AOW-leeftijd op",
    "behoud_van_uitkering": "behoud van uitkering",
    "doelgroepverklaring_uiterlijk": "doelgroepverklaring aanvragen uiterlijk",
    "door": "uitgevoerd door",
    "duur": "duur",
    "duur_maanden": "duur in maanden",
    "duur_maanden_gemiddeld": "gemiddelde duur in maanden",
    "duur_maanden_max": "duur in maanden, ten hoogste",
    "duur_maanden_min": "duur in maanden, ten minste",
    "einddatum": "einddatum",
    "einde_uiterlijk": "eindigt uiterlijk",
    "grondslag": "grondslag",
    "herbeoordeling_loonwaarde": "herbeoordeling van de loonwaarde",
    "indexering": "indexering",
    "jobcoach": "jobcoach",
    "loonwaarde_vaststellen_uiterlijk": "loonwaarde vaststellen uiterlijk",
    "loonwaarde_voor_ziekengeld_pct": "loonwaarde voor het ziekengeld (%)",
    "max_bedrag_eur": "ten hoogste (€)",
    "max_duur": "ten hoogste",
    "max_duur_jaren": "ten hoogste jaren",
    "max_duur_maanden": "ten hoogste maanden",
    "max_eerste_halfjaar_eur": "ten hoogste in het eerste halfjaar (€)",
    "max_per_jaar_eur": "ten hoogste per jaar",
    "max_totaal_voltijd_eur": "ten hoogste in totaal bij voltijd (€)",
    "max_tweede_halfjaar_eur": "ten hoogste in het tweede halfjaar (€)",
    "max_uren_per_maand": "ten hoogste uren per maand",
    "max_verlenging_maanden": "verlenging ten hoogste maanden",
    "max_voltijd_jaar_eur": "ten hoogste per jaar bij voltijd (€)",
    "ondersteuning_ook_voor_werkgever": "ondersteuning ook voor de werkgever",
    "per_uur_eur": "bedrag per uur",
    "pct_dagloon": "percentage van het dagloon",
    "percentage_wml": "percentage van het minimumloon",
    "proeftijd_daarna": "proeftijd daarna",
    "regeling": "regeling",
    "route": "route",
    "sector": "sector",
    "uitbetaling_vanaf_week": "uitbetaling vanaf week",
    "uren_jaar_1_pct": "uren jaar 1 (%)",
    "uren_jaar_2_pct": "uren jaar 2 (%)",
    "uren_vanaf_jaar_3_pct": "uren vanaf jaar 3 (%)",
    "vergoeding": "vergoeding",
    "verlenging": "verlenging",
    "verlenging_maanden_bij_bijzondere_omstandigheden": (
        "verlenging in maanden bij bijzondere omstandigheden"
    ),
    "verlenging_mogelijk": "verlenging mogelijk",
    "voltijd_uren_per_week": "voltijd (uren per week)",
    "voorziening": "voorziening",
    "vorm": "vorm",
    "vorm_en_duur": "vorm en duur",
    "ziekengeld_na_loonwaarde_pct_dagloon": "ziekengeld na loonwaarde (% van het dagloon)",
    "ziekengeld_op_verzoek_werkgever_max_weken": "ziekengeld op verzoek van de werkgever (weken)",
    "ziekengeld_op_verzoek_werkgever_na_loonwaarde_pct_dagloon": (
        "ziekengeld op verzoek van de werkgever na loonwaarde (% van het dagloon)"
    ),
    "ziekengeld_op_verzoek_werkgever_pct_dagloon": (
        "ziekengeld op verzoek van de werkgever (% van het dagloon)"
    ),
    "ziekengeld_pct_dagloon": "ziekengeld (% van het dagloon)",
}

VALUES: dict[str, str] = {
    "bijstand": "bijstand",
    "ioaw": "IOAW",
    "ioaz": "IOAZ",
    "ww": "WW",
    "wajong": "Wajong",
    "wia_wga": "WIA (WGA)",
    "wia_iva": "WIA (IVA)",
    "wao": "WAO",
    "waz": "WAZ",
    "zw": "Ziektewet",
    "anw": "Anw",
    "geen": "geen uitkering",
    "gemeente": "de gemeente",
    "uwv": "UWV",
    "praktijkonderwijs": "praktijkonderwijs",
    "voortgezet_speciaal_onderwijs": "voortgezet speciaal onderwijs",
    "entreeopleiding": "entreeopleiding",
    "ander": "ander onderwijs",
}

# What kind of support an instrument is, for the catalogue's filter (catalogue ids).
# A rule set's or parameter's provenance as users read it
PROVENANCE: dict[str, str] = {"verified": "geverifieerd", "illustrative": "illustratief"}

KINDS: dict[str, str] = {
    "geld": "geld voor de werkgever",
    "begeleiding": "begeleiding",
    "voorziening": "voorziening op de werkplek",
    "risico": "minder risico bij ziekte",
    "werkervaring": "werkervaring en proefplaatsing",
    "scholing": "scholing",
    "beschut": "beschut werk",
}
INSTRUMENT_KIND: dict[str, str] = {
    "proefplaatsing": "werkervaring",
    "loonkostensubsidie": "geld",
    "loondispensatie": "geld",
    "no_riskpolis": "risico",
    "jobcoaching": "begeleiding",
    "werkplekaanpassing": "voorziening",
    "lkv_oudere_werknemer": "geld",
    "lkv_arbeidsgehandicapte_werknemer": "geld",
    "lkv_banenafspraak": "geld",
    "lkv_herplaatsing": "geld",
    "liv": "geld",
    "scholing": "scholing",
    "praktijkleren": "scholing",
    "werken_met_behoud_van_uitkering": "werkervaring",
    "beschut_werk": "beschut",
    "plaatsingspremie": "geld",
}


# The expression language's functions in words (engine/expressions/functions.py).
CALLS: dict[str, str] = {
    "add_months": "{0} + {1} maanden",
    "add_days": "{0} + {1} dagen",
    "year_start": "1 januari van het jaar van {0}",
    "year_end": "31 december van het jaar van {0}",
    "days_between": "het aantal dagen van {0} tot {1}",
    "months_between": "het aantal maanden van {0} tot {1}",
    "years_between": "het aantal jaren van {0} tot {1}",
}


def or_list(items: list[str]) -> str:
    """ "a, b of c": alternatives read as alternatives, not as a list of requirements."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} of {items[-1]}"


def call_text(func: str, args: list[str]) -> str:
    """A function call with its arguments (already in words) as Dutch."""
    if func == "date" and len(args) == 3:
        return "-".join(a.zfill(2) for a in reversed(args))
    if func in ("min", "max") and args:
        which = "kleinste" if func == "min" else "grootste"
        listed = args[0] if len(args) == 1 else f"{', '.join(args[:-1])} en {args[-1]}"
        return f"het {which} van {listed}"
    template = CALLS.get(func)
    if template is not None and template.count("{") == len(args):
        return template.format(*args)
    return f"{words(func)} van {', '.join(args)}"


def words(name: str) -> str:
    """An identifier as words: what is left when no label is known."""
    return name.replace("_", " ").strip()


def fact_label(path: str) -> str:
    """An input fact, derived fact or parameter (`param.x`) as people say it."""
    spec = INPUT_FACTS.get(path)
    if spec is not None:
        return spec.label
    if path.startswith("param."):
        return parameter_label(path[6:])
    return DERIVED_FACTS.get(path) or words(path)


_PARAMETER_WORDS = {"pct": "%", "eur": "(euro)", "max": "ten hoogste"}


def parameter_label(key: str) -> str:
    """A rule's term (`params` key); one not listed reads as its words, with pct, eur and max
    said ("max_uren_per_maand" → "ten hoogste uren per maand")."""
    if key in PARAMETERS:
        return PARAMETERS[key]
    return " ".join(_PARAMETER_WORDS.get(w, w) for w in key.split("_") if w)


def value_label(value: str) -> str:
    return VALUES.get(value) or words(value)


def kind_of(instrument: str) -> str:
    return INSTRUMENT_KIND.get(instrument, "")
